// Share decoding and checks: hex or raw, length, all-zero, odd hex, equal, mismatched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TeeinitError } from '../errors/index.js';
import { checkShares, parseShare } from './shares.js';

const hex32 = randomBytes(32).toString('hex');

test('parseShare decodes hex text and accepts raw bytes', { timeout: 5000 }, () => {
  const raw = randomBytes(32);
  assert.deepEqual(parseShare('s', Buffer.from(hex32)), Buffer.from(hex32, 'hex'));
  assert.deepEqual(
    parseShare('s', Buffer.from(` ${hex32.toUpperCase()}\n`)),
    Buffer.from(hex32, 'hex'),
  );
  const binary = Buffer.concat([Buffer.from([0xff]), raw]); // never all hex digits
  assert.deepEqual(parseShare('s', binary), binary);
});

const rejected: { what: string; raw: Buffer; mention: string }[] = [
  { what: 'odd-length hex', raw: Buffer.from(hex32 + 'a'), mention: 'odd' },
  {
    what: 'too short hex',
    raw: Buffer.from('00112233445566778899aabbccddee'),
    mention: 'at least 16',
  },
  { what: 'too short raw', raw: Buffer.from('short!'), mention: 'at least 16' },
  { what: 'all-zero hex', raw: Buffer.from('00'.repeat(32)), mention: 'all zero' },
  { what: 'all-zero raw', raw: Buffer.alloc(32), mention: 'all zero' },
  { what: 'empty', raw: Buffer.alloc(0), mention: 'at least 16' },
];
for (const c of rejected) {
  test(`parseShare rejects ${c.what}`, { timeout: 5000 }, () => {
    assert.throws(
      () => parseShare('alice-share', c.raw),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_SHARE_INVALID' &&
        e.message.includes('alice-share') &&
        e.message.includes(c.mention) &&
        (c.raw.length < 6 || !e.message.includes(c.raw.toString('utf8').trim())),
    );
  });
}

const bad: { what: string; shares: { name: string; bytes: Buffer }[]; names: string }[] = [
  {
    what: 'different lengths',
    shares: [
      { name: 'a', bytes: randomBytes(32) },
      { name: 'b', bytes: randomBytes(16) },
    ],
    names: '"b"',
  },
  {
    what: 'equal shares',
    shares: [
      { name: 'a', bytes: Buffer.from(hex32, 'hex') },
      { name: 'b', bytes: Buffer.from(hex32, 'hex') },
    ],
    names: 'identical to "a"',
  },
  { what: 'no shares', shares: [], names: 'at least one' },
];
for (const c of bad) {
  test(`checkShares rejects ${c.what}`, { timeout: 5000 }, () => {
    assert.throws(
      () => checkShares(c.shares),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_SHARE_INVALID' &&
        e.message.includes(c.names),
    );
  });
}

test('checkShares accepts distinct shares of equal length', { timeout: 5000 }, () => {
  checkShares([
    { name: 'a', bytes: randomBytes(32) },
    { name: 'b', bytes: randomBytes(32) },
  ]);
});
