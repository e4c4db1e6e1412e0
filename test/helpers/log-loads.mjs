// Node.js module hooks for tests that check what a process loads: `node --import <this file> …`
// appends the URL of every module loaded to the file named by LOG_LOADS_TO. The same file is the
// registration (on the main thread) and the hooks (on Node's hooks thread). CommonJS files
// loaded with require() (createRequire) do not pass Node 20's module hooks: their compilation is
// logged from the main thread.
import { appendFileSync } from 'node:fs';
import { Module, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.env.LOG_LOADS_TO) {
  register(new URL(import.meta.url));
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    appendFileSync(process.env.LOG_LOADS_TO, `${pathToFileURL(filename).href}\n`);
    return compile.call(this, content, filename);
  };
}

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.LOG_LOADS_TO, `${url}\n`);
  return nextLoad(url, context);
}
