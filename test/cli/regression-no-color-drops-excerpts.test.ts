/**
 * NO_COLOR dropped the source excerpts of `lint` on a terminal along with the colour (issue 18):
 * it should drop only the colour. Off a terminal (CI logs, pipes) neither is printed, as before.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'secretref-nocolor-'));
writeFileSync(join(dir, 'tool.yaml'), 'url: https://api.example.com/{{ secrets[name] }}\n');
const ESC = '\u001b[';

describe('NO_COLOR', () => {
  it('on a terminal: excerpts without colour', async () => {
    const r = await cli(['lint', '--offline', 'tool.yaml'], { cwd: dir, tty: true, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(' 1 | url: https://api.example.com/{{ secrets[name] }}');
    expect(r.stdout).toMatch(/ {2}\| +\^/);
    expect(r.stdout).not.toContain(ESC);
  });

  it('on a terminal without NO_COLOR: excerpts with colour', async () => {
    const r = await cli(['lint', '--offline', 'tool.yaml'], { cwd: dir, tty: true, env: {} });
    expect(r.stdout).toContain(' 1 |');
    expect(r.stdout).toContain(ESC);
  });

  it('off a terminal: neither', async () => {
    const r = await cli(['lint', '--offline', 'tool.yaml'], { cwd: dir, env: {} });
    expect(r.stdout).not.toContain(' 1 |');
    expect(r.stdout).not.toContain(ESC);
  });
});
