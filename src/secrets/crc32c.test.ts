import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from './crc32c.js';

// Vectors: gcp-wire.md (Secret Manager docs) and RFC 3720 B.4.
test('crc32c matches published vectors', { timeout: 5000 }, () => {
  const cases: [Buffer, number][] = [
    [Buffer.from('a\n'), 163439259],
    [Buffer.alloc(0), 0],
    [Buffer.alloc(32, 0), 0x8a9136aa],
    [Buffer.alloc(32, 0xff), 0x62a8ab43],
    [Buffer.from('123456789'), 0xe3069283],
  ];
  for (const [input, expected] of cases) assert.equal(crc32c(input), expected);
});
