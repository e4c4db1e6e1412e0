/**
 * Regression (found with security review #9): a value starting with U+FEFF came back without it
 * from the embedded store: PGlite decodes result text with a TextDecoder that drops a leading
 * byte-order mark. Values now leave the database as bytes and are decoded without that rule, so
 * every value round-trips exactly on both backends, through get, resolve and the previous value.
 */
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/backends.js';

const DEV = '00000000-0000-0000-0000-0000000000b0';

describeBackends('values that start with a byte-order mark', (backend) => {
  it('come back exactly, with the mark, from every read', async () => {
    const store = await backend.open();
    const dev = store.scope(DEV);
    const first = '\u{feff}first';
    const second = '\u{feff}\u{feff}second';
    await dev.create({ name: 'bom', value: first });
    expect((await dev.get('bom', { reveal: true })).value).toBe(first);
    await dev.rotate('bom', second, { graceMs: 60_000 });
    const got = await dev.get('bom', { reveal: true, previous: true });
    expect(got.value).toBe(second);
    expect(got.previous?.value).toBe(first);
    expect((await dev.resolveMany(['bom'])).get('bom')).toBe(second);
    expect((await dev.resolveDetailed(['bom'])).get('bom')?.value).toBe(second);
  });
});
