// Node.js module hooks for tests that check what a process loads: `node --import <this file> …`
// appends the URL of every module loaded to the file named by LOG_LOADS_TO. The same file is the
// registration (on the main thread) and the hooks (on Node's hooks thread).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.env.LOG_LOADS_TO) register(new URL(import.meta.url));

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.LOG_LOADS_TO, `${url}\n`);
  return nextLoad(url, context);
}
