import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from './logger.js';
import { Redactor } from './redactor.js';

test('redactBytes masks a value inside bytes that are not UTF-8 and keeps the rest', () => {
  const r = new Redactor();
  r.add('s3cret-value-1234');
  const line = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from('a=s3cret-value-1234 b=s3cret-value-1234'),
    Buffer.from([0x80]),
  ]);
  const out = r.redactBytes(line);
  assert.deepEqual(
    out,
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('a=[REDACTED] b=[REDACTED]'),
      Buffer.from([0x80]),
    ]),
  );
  const clean = Buffer.from('nothing here');
  assert.equal(r.redactBytes(clean), clean);
});

test('a JSON log line masks a value that JSON would escape (quote, backslash, newline)', () => {
  const r = new Redactor();
  const value = 'pa"ss\\word-with\nnewline-and-more';
  r.add(value);
  let out = '';
  const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
  new Logger({ format: 'json', stdout: stream, stderr: stream, redactor: r }).info('m', {
    reason: `server said ${value}`,
    nested: { list: [value] },
  });
  assert.ok(!out.includes('ss\\\\word'), out);
  assert.ok(!out.includes('newline-and-more'), out);
  assert.match(out, /"reason":"server said \[REDACTED\]"/);
  assert.match(out, /"nested":\{"list":\["\[REDACTED\]"\]\}/);
});
