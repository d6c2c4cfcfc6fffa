/**
 * What the fetch binding reads of a Web `Request` without copying it: the path and query of
 * its URL (exactly what `new URL(url)` gives, for any URL a `Request` holds) and its headers,
 * looked up by name when the handler reads them.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { headersOf, pathAndSearch } from '../../src/bindings/binding.js';

const SEED = 20261207;

test('property: pathAndSearch gives what new URL() gives for any URL a Request holds', () => {
  const url = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(fc.webUrl(), fc.constantFrom('', '?', '?a=1&a=2', '?x=%2F#frag', '#only', '/?#'))
      .map(([base, tail]) => base + tail),
  );
  fc.assert(
    fc.property(url, (raw) => {
      const href = new Request(raw).url; // what a host hands the binding: already normalised
      const expected = new URL(href);
      expect(pathAndSearch(href)).toEqual({ pathname: expected.pathname, search: expected.search });
    }),
    { seed: SEED, numRuns: 2_000 },
  );
});

test('headersOf reads each header by name, lower-case or not, and lists them on demand', () => {
  const headers = new Headers([
    ['Content-Type', 'application/json'],
    ['X-Twice', 'a'],
    ['X-Twice', 'b'],
  ]);
  const view = headersOf(headers);
  expect(view['content-type']).toBe('application/json');
  expect(view['x-twice']).toBe('a, b'); // repeated headers joined, as Headers.get does
  expect(view.authorization).toBeUndefined();
  expect('content-type' in view).toBe(true);
  expect('authorization' in view).toBe(false);
  // A name Headers refuses is simply absent, never an exception in the handler.
  expect(view['bad name']).toBeUndefined();
  expect(view.__proto__).toBeUndefined();
  expect(Object.keys(view).sort()).toEqual(['content-type', 'x-twice']);
  expect({ ...view }).toEqual({ 'content-type': 'application/json', 'x-twice': 'a, b' });
  // Read-only: the handler's view of the request never changes it.
  expect(Reflect.set(view, 'authorization', 'Bearer x')).toBe(false);
  expect(headers.has('authorization')).toBe(false);
});

test('headersOf sees the headers as they are when read', () => {
  const headers = new Headers({ 'idempotency-key': 'k1' });
  const view = headersOf(headers);
  expect(view['idempotency-key']).toBe('k1');
  headers.set('if-match', '"3"');
  expect(view['if-match']).toBe('"3"');
});
