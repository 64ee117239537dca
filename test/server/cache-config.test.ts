import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBatonError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/server/config.ts';

describe('BATON_CACHE_MAX_BYTES', () => {
  it('defaults to 64 MiB and takes whole bytes from 2 MiB', () => {
    assert.equal(loadConfig({}).cacheMaxBytes, 64 * 1024 * 1024);
    assert.equal(loadConfig({ BATON_CACHE_MAX_BYTES: '2097152' }).cacheMaxBytes, 2 * 1024 * 1024);
    for (const bad of ['1048576', '3000000.5', 'lots', '-1'])
      assert.throws(
        () => loadConfig({ BATON_CACHE_MAX_BYTES: bad }),
        (e) => isBatonError(e, 'InvalidParameterValue') && /BATON_CACHE_MAX_BYTES/.test(e.message),
      );
  });
});
