import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRouteKey } from '../../src/gateway/route-key.ts';
import { Router, splitPath } from '../../src/gateway/router.ts';

const routerOf = (keys: string[]): Router<string> => {
  const r = new Router<string>();
  for (const k of keys) assert.equal(r.add(parseRouteKey(k), k), true, `adds ${k}`);
  return r;
};

const select = (r: Router<string>, method: string, path: string) => {
  const m = r.match(method, splitPath(path));
  return m ? { route: m.value, params: m.params } : undefined;
};

describe('route selection', () => {
  // The example of API Gateway's developer guide, "Routing API requests", plus ANY and $default.
  const aws = routerOf([
    'GET /pets/dog/1',
    'GET /pets/dog/{id}',
    'GET /pets/{proxy+}',
    'ANY /{proxy+}',
    '$default',
  ]);
  const cases: [string, string, string, Record<string, string> | undefined][] = [
    ['GET', '/pets/dog/1', 'GET /pets/dog/1', undefined],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', { proxy: 'cat/1' }],
    ['POST', '/pets/dog/1', 'ANY /{proxy+}', { proxy: 'pets/dog/1' }],
    ['GET', '/test/3', 'ANY /{proxy+}', { proxy: 'test/3' }],
    ['GET', '/', '$default', undefined],
  ];
  for (const [method, path, route, params] of cases)
    it(`${method} ${path} → ${route}`, () => {
      assert.deepEqual(select(aws, method, path), { route, params });
    });

  const table = routerOf([
    'GET /items',
    'ANY /items',
    'GET /items/{id}',
    'DELETE /items/{id}',
    'GET /items/special',
    'ANY /items/{id}/tags/{tag}',
    'GET /items/{itemId}/parts',
    'GET /files/{path+}',
    'POST /',
  ]);
  const more: [string, string, string | undefined, Record<string, string> | undefined][] = [
    ['GET', '/items', 'GET /items', undefined],
    ['PUT', '/items', 'ANY /items', undefined],
    ['GET', '/items/special', 'GET /items/special', undefined],
    ['DELETE', '/items/special', 'DELETE /items/{id}', { id: 'special' }],
    ['GET', '/items/7', 'GET /items/{id}', { id: '7' }],
    ['POST', '/items/7', undefined, undefined],
    ['PATCH', '/items/7/tags/red', 'ANY /items/{id}/tags/{tag}', { id: '7', tag: 'red' }],
    ['GET', '/items/7/parts', 'GET /items/{itemId}/parts', { itemId: '7' }],
    ['GET', '/items/a%20b', 'GET /items/{id}', { id: 'a b' }],
    ['GET', '/items/%E0%A4%A', 'GET /items/{id}', { id: '%E0%A4%A' }],
    ['GET', '/files/a/b/c.txt', 'GET /files/{path+}', { path: 'a/b/c.txt' }],
    ['GET', '/files', undefined, undefined],
    ['GET', '/files/', undefined, undefined],
    ['GET', '/items/', undefined, undefined],
    ['POST', '/', 'POST /', undefined],
    ['GET', '/', undefined, undefined],
    ['GET', '/nothing', undefined, undefined],
  ];
  for (const [method, path, route, params] of more)
    it(`${method} ${path} → ${route ?? '404'}`, () => {
      assert.deepEqual(select(table, method, path), route === undefined ? undefined : { route, params });
    });

  it('backtracks: a literal branch without the method falls back to a variable', () => {
    const r = routerOf(['POST /a/b/{x}', 'GET /a/{y}/c']);
    assert.deepEqual(select(r, 'GET', '/a/b/c'), { route: 'GET /a/{y}/c', params: { y: 'b' } });
    assert.deepEqual(select(r, 'POST', '/a/b/c'), { route: 'POST /a/b/{x}', params: { x: 'c' } });
  });

  it('refuses a second route of the same shape', () => {
    const r = routerOf(['GET /items/{id}', 'ANY /items/{id}', '$default']);
    assert.equal(r.add(parseRouteKey('GET /items/{other}'), 'x'), false);
    assert.equal(r.add(parseRouteKey('any /items/{other}'), 'x'), false);
    assert.equal(r.add(parseRouteKey('$default'), 'x'), false);
    assert.equal(r.count, 3);
  });
});

describe('route keys', () => {
  it('normalises the method and computes the shape', () => {
    const k = parseRouteKey('get /items/{id}/{rest+}');
    assert.equal(k.key, 'GET /items/{id}/{rest+}');
    assert.equal(k.shape, 'GET /items/{}/{+}');
    assert.equal(k.path, '/items/{id}/{rest+}');
  });

  const bad: [string, RegExp][] = [
    ['/items', /is not a route key/],
    ['FETCH /items', /"FETCH" is not a method/],
    ['GET items', /must start with \//],
    ['GET /items/', /must not end with \//],
    ['GET /a//b', /empty segment/],
    ['GET /{p+}/x', /must be the last segment/],
    ['GET /a/{id}/{id}', /twice/],
    ['GET /a/x{id}', /must be a whole segment/],
    ['GET /a b c', /is not a route key/],
    ['GET /a?b', /characters a route path cannot hold/],
  ];
  for (const [key, message] of bad)
    it(`refuses "${key}"`, () => {
      assert.throws(() => parseRouteKey(key), message);
    });
});
