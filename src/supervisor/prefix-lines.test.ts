import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { MAX_LINE, prefixLines } from './prefix-lines.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('prefixLines', () => {
  test(
    'prefixes lines split across chunks and ends a partial last line',
    { timeout: 5000 },
    async () => {
      const source = new PassThrough();
      const out = sink();
      const copied = prefixLines(source, out.stream, '[p] ');
      source.write('al');
      source.write('pha\nbeta\n\ngam');
      source.end('ma');
      await copied;
      assert.equal(out.text(), '[p] alpha\n[p] beta\n[p] \n[p] gamma\n');
    },
  );

  test('keeps multi-byte characters split across chunks intact', { timeout: 5000 }, async () => {
    const source = new PassThrough();
    const out = sink();
    const copied = prefixLines(source, out.stream, '[p] ');
    const bytes = Buffer.from('héllo\n');
    source.write(bytes.subarray(0, 2));
    source.end(bytes.subarray(2));
    await copied;
    assert.equal(out.text(), '[p] héllo\n');
  });

  test('cuts a line longer than MAX_LINE instead of buffering it', { timeout: 5000 }, async () => {
    const source = new PassThrough();
    const out = sink();
    const copied = prefixLines(source, out.stream, '> ');
    source.end('x'.repeat(MAX_LINE + 10) + '\n');
    await copied;
    const lines = out.text().split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
    assert.equal(lines[0], '> ' + 'x'.repeat(MAX_LINE));
    assert.equal(lines[1], '> ' + 'x'.repeat(10));
  });
});
