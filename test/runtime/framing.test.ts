import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage, MessageReader } from '../../src/runtime/framing.ts';

describe('runner channel framing', () => {
  it('reads messages split anywhere, several per chunk, multi-byte characters across chunks', () => {
    const messages = [
      { a: 'line\nbreak inside a string' },
      { b: 'é✓🎉'.repeat(50) },
      { c: [1, 2, 3] },
      'plain',
    ];
    const bytes = Buffer.from(messages.map(encodeMessage).join(''));
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const got: unknown[] = [];
      const reader = new MessageReader((m) => got.push(m));
      for (let i = 0; i < bytes.length; i += size) reader.feed(bytes.subarray(i, i + size));
      assert.deepEqual(got, messages, `chunks of ${size} bytes`);
    }
  });
});
