import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FRAME_MAGIC, FrameParser, MAX_BODY_BYTES, type Frame } from './frame.js';
import { AttestRefusal } from './reasons.js';

const evidence: Frame = {
  type: 'evidence',
  evidence: {
    token: 'aGVhZA.Ym9keQ.c2ln',
    publicKey: Buffer.alloc(44, 1),
    signature: Buffer.alloc(64, 2),
  },
};

const header = (version: number, type: number, length: number): Buffer => {
  const h = Buffer.alloc(10);
  FRAME_MAGIC.copy(h);
  h.writeUInt8(version, 4);
  h.writeUInt8(type, 5);
  h.writeUInt32BE(length, 6);
  return h;
};
const field = (b: Buffer): Buffer =>
  Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
const body = (...fields: Buffer[]): Buffer => Buffer.concat(fields.map(field));

describe('frame', () => {
  test('an evidence frame round-trips, fed one byte at a time, with the bytes after it kept', () => {
    const frame = encodeFrame(evidence);
    const parser = new FrameParser();
    for (let i = 0; i < frame.length - 1; i += 1) {
      assert.equal(parser.push(frame.subarray(i, i + 1)).done, false, `done early at byte ${i}`);
    }
    const last = parser.push(Buffer.concat([frame.subarray(-1), Buffer.from('app')]));
    assert.ok(last.done);
    assert.deepEqual(last.frame, evidence);
    assert.equal(last.rest.toString(), 'app');
  });

  test('the "none" frame is a bare header', () => {
    const bytes = encodeFrame({ type: 'none' });
    assert.deepEqual(bytes, header(1, 2, 0));
    const step = new FrameParser().push(bytes);
    assert.ok(step.done);
    assert.equal(step.frame.type, 'none');
  });

  const token = Buffer.from('a.b.c');
  const key = Buffer.alloc(44, 1);
  const sig = Buffer.alloc(64, 2);
  const cases: [string, Buffer, string, RegExp][] = [
    ['other data at the first byte', Buffer.from('G'), 'attestation-missing', /other data/],
    ['other data at the fourth byte', Buffer.from('TEEX'), 'attestation-missing', /other data/],
    ['an unknown version', header(2, 1, 0), 'attestation-malformed', /version 2/],
    ['an unknown type', header(1, 7, 0), 'attestation-malformed', /type 7/],
    [
      'a body over the limit',
      header(1, 1, MAX_BODY_BYTES + 1),
      'attestation-oversize',
      /frame body/,
    ],
    ['a "none" frame with a body', header(1, 2, 1), 'attestation-malformed', /empty body/],
    [
      'an empty token',
      Buffer.concat([header(1, 1, 6), body(Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0))]),
      'attestation-malformed',
      /empty token/,
    ],
    [
      'a key over its limit',
      Buffer.concat([header(1, 1, 2 + 5 + 2 + 300), field(token), field(Buffer.alloc(300))]),
      'attestation-oversize',
      /public key of 300/,
    ],
    [
      'a truncated signature',
      Buffer.concat([
        header(1, 1, 2 + 5 + 2 + 44 + 2),
        field(token),
        field(key),
        Buffer.from([0, 64]),
      ]),
      'attestation-malformed',
      /truncated signature/,
    ],
    [
      'bytes after the signature',
      (() => {
        const b = Buffer.concat([body(token, key, sig), Buffer.from([0])]);
        return Buffer.concat([header(1, 1, b.length), b]);
      })(),
      'attestation-malformed',
      /after the signature/,
    ],
    [
      'a token that is not a compact JWS',
      (() => {
        const b = body(Buffer.from('a b{c'), key, sig);
        return Buffer.concat([header(1, 1, b.length), b]);
      })(),
      'attestation-malformed',
      /compact JWS/,
    ],
  ];
  for (const [name, bytes, reason, detail] of cases) {
    test(`refuses ${name}: ${reason}`, () => {
      assert.throws(
        () => new FrameParser().push(bytes),
        (e: unknown) => e instanceof AttestRefusal && e.reason === reason && detail.test(e.detail),
      );
    });
  }

  test('encodeFrame refuses fields over the limits', () => {
    assert.throws(
      () =>
        encodeFrame({
          type: 'evidence',
          evidence: { token: 'a.b.c', signature: Buffer.alloc(1), publicKey: Buffer.alloc(300) },
        }),
      RangeError,
    );
  });
});
