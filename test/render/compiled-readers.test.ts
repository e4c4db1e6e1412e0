import { describe, expect, it } from 'vitest';
import { compile } from '../../src/render/index.js';

// The renderer compiles one object literal per definition object and one reader of the secrets
// per definition (bench: a shared spread builder and a loop of lookups went megamorphic). These
// pin what the compiled code must keep: own properties only, `__proto__` as a plain key, key order.
describe('compiled object builders and secret readers', () => {
  it('ignores a polluted Object.prototype, reads a value equal to it when it is own', () => {
    const c = compile({ a: '$secrets.polluted_name' });
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted_name = 'from-prototype';
    try {
      expect(() => c.render({})).toThrow(expect.objectContaining({ code: 'SECRET_NOT_FOUND' }));
      expect(c.render({ polluted_name: 'from-prototype' }).value).toEqual({ a: 'from-prototype' });
      expect(c.render({ polluted_name: 'own' }).value).toEqual({ a: 'own' });
    } finally {
      delete proto.polluted_name;
    }
  });
  it('reads null-prototype records, class instances and Maps alike; inherited fields are not secrets', () => {
    const c = compile({ a: '$secrets.k', b: '{{ secrets.toString }}' });
    const bare = Object.assign(Object.create(null) as Record<string, string>, { k: 'v', toString: 't' });
    expect(c.render(bare).value).toEqual({ a: 'v', b: 't' });
    class Holder {
      k = 'v';
    }
    const inherited = Object.create({ k: 'inherited', toString: 'inherited' }) as Record<string, string>;
    expect(() => compile({ a: '$secrets.k' }).render(inherited)).toThrow(expect.objectContaining({ code: 'SECRET_NOT_FOUND' }));
    expect(compile({ a: '$secrets.k' }).render(new Holder() as unknown as Record<string, string>).value).toEqual({ a: 'v' });
    expect(c.render(new Map([['k', 'v'], ['toString', 't']])).value).toEqual({ a: 'v', b: 't' });
  });
  it('keeps __proto__ an own key, integer-like and odd keys in order, fresh objects each render', () => {
    const def = JSON.parse('{"__proto__": {"x": "$secrets.k"}, "b": 1, "2": "$secrets.k", "a\\"b": null, "1": [true]}') as Record<string, unknown>;
    const c = compile(def);
    const one = c.render({ k: 'v' }).value as Record<string, unknown>;
    const two = c.render({ k: 'v' }).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(one)).toBe(Object.prototype);
    expect(Object.keys(one)).toEqual(['1', '2', '__proto__', 'b', 'a"b']);
    expect(JSON.stringify(one)).toBe('{"1":[true],"2":"v","__proto__":{"x":"v"},"b":1,"a\\"b":null}');
    expect(one).not.toBe(two);
    expect(one['1']).not.toBe(two['1']);
  });
});
