// The teeinit-share-v1 text form: what is accepted, and a refusal for every malformed field
// that names the field and never echoes the share's value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { formatShare, keyIdOf, parseShareText } from './share-format.js';

const Y = 'ab'.repeat(32);
const KEY = '0123456789abcdef';
const line = (fields: string): Buffer => Buffer.from(`teeinit-share-v1:${fields}`);

describe('share text form', { timeout: 10_000 }, () => {
  test('round trip, trailing newline and surrounding whitespace ignored', () => {
    const share = { threshold: 2, total: 3, keyId: KEY, x: 200, y: Buffer.from(Y, 'hex') };
    const text = formatShare(share);
    assert.equal(text, `teeinit-share-v1:2:3:${KEY}:200:${Y}\n`);
    assert.deepEqual(parseShareText(Buffer.from(text), 'share'), share);
    assert.deepEqual(parseShareText(Buffer.from(`  ${text.trim()}\r\n\n`), 'share'), share);
    // Uppercase hex in y is the same bytes.
    assert.deepEqual(parseShareText(line(`2:3:${KEY}:200:${Y.toUpperCase()}`), 'share'), share);
  });

  test('the key id is SHA-256 of the label and the secret, first 8 bytes', () => {
    // { printf 'teeinit-share-v1:key-id:'; head -c 32 /dev/zero; } | openssl dgst -sha256
    assert.equal(keyIdOf(Buffer.alloc(32)), 'b6a1c7e491ad95d5');
  });

  const refused: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /is not a threshold share: expected teeinit-share-v1:T:N:KEYID:X:Y/],
    ['plain hex share', Buffer.from(Y), /is a plain share \(hex\), not a threshold share/],
    ['other prefix', Buffer.from(`teeinit-share-v2:2:3:${KEY}:1:${Y}`), /is not a threshold share/],
    ['cut short', line(`2:3:${KEY}:1`), /has 4 fields after "teeinit-share-v1:" instead of 5/],
    ['extra field', line(`2:3:${KEY}:1:${Y}:x`), /has 6 fields/],
    [
      'threshold 1',
      line(`1:3:${KEY}:1:${Y}`),
      /threshold \(T\) that is not a whole number from 2 to 255/,
    ],
    ['threshold 256', line(`256:256:${KEY}:1:${Y}`), /threshold \(T\)/],
    ['threshold with a leading zero', line(`02:3:${KEY}:1:${Y}`), /threshold \(T\)/],
    ['threshold not decimal', line(`0x2:3:${KEY}:1:${Y}`), /threshold \(T\)/],
    [
      'count below threshold',
      line(`3:2:${KEY}:1:${Y}`),
      /share count \(N\) that is not a whole number from 3 to 255/,
    ],
    ['count above 255', line(`2:300:${KEY}:1:${Y}`), /share count \(N\)/],
    [
      'key id uppercase',
      line(`2:3:${KEY.toUpperCase()}:1:${Y}`),
      /key id that is not 16 lowercase hex digits/,
    ],
    ['key id short', line(`2:3:${KEY.slice(1)}:1:${Y}`), /key id/],
    [
      'x zero',
      line(`2:3:${KEY}:0:${Y}`),
      /x coordinate \(X\) that is not a whole number from 1 to 255/,
    ],
    ['x 256', line(`2:3:${KEY}:256:${Y}`), /x coordinate \(X\)/],
    ['y odd', line(`2:3:${KEY}:1:${Y}a`), /value \(Y\) that is not whole hex bytes/],
    ['y not hex', line(`2:3:${KEY}:1:${Y.slice(2)}zz`), /value \(Y\) that is not whole hex bytes/],
    ['y empty', line(`2:3:${KEY}:1:`), /value \(Y\) that is not whole hex bytes/],
    ['y 15 bytes', line(`2:3:${KEY}:1:${'ab'.repeat(15)}`), /has a 15-byte value \(Y\)/],
    ['y 65 bytes', line(`2:3:${KEY}:1:${'ab'.repeat(65)}`), /has a 65-byte value \(Y\)/],
    ['inner space', line(`2:3:${KEY}:1: ${Y}`), /value \(Y\)/],
  ];
  for (const [what, raw, message] of refused) {
    test(`refuses: ${what}`, () => {
      assert.throws(
        () => parseShareText(raw, 'PSK share "carol-share"'),
        (e: unknown) => {
          assert.ok(e instanceof TeeinitError);
          assert.equal(e.code, 'TEEINIT_SHARE_INVALID');
          assert.match(e.message, /^PSK share "carol-share" /);
          assert.match(e.message, message);
          assert.ok(!e.message.includes('abababababababab'), 'the value is never echoed');
          return true;
        },
      );
    });
  }
});
