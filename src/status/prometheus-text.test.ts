// The exposition writer: escaping of label values and HELP text, one HELP and TYPE per
// family, families without samples left out, invalid names refused, and a sample that a
// strict line-by-line reader of the 0.0.4 format accepts and reads back unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, sampleValue } from '../../test/helpers/prometheus-parse.js';
import {
  escapeHelp,
  escapeLabelValue,
  formatExposition,
  formatValue,
  type MetricFamily,
} from './prometheus-text.js';

const AWKWARD = 'a\\b "quoted"\nnext line';

describe('prometheus-text', { timeout: 5000 }, () => {
  test('label values escape backslash, double quote and newline', () => {
    for (const [raw, escaped] of [
      ['plain', 'plain'],
      ['back\\slash', 'back\\\\slash'],
      ['say "hi"', 'say \\"hi\\"'],
      ['two\nlines', 'two\\nlines'],
      ['\\n', '\\\\n'],
    ] as const) {
      assert.equal(escapeLabelValue(raw), escaped, raw);
    }
    assert.equal(escapeHelp('a "b" \\ c\nd'), 'a "b" \\\\ c\\nd');
  });

  test('values: integers, fractions and the non-finite spellings', () => {
    assert.deepEqual([1, 0, 1.5, 1700000000.123, NaN, Infinity, -Infinity].map(formatValue), [
      '1',
      '0',
      '1.5',
      '1700000000.123',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  test('HELP and TYPE once per family, then its samples; empty families left out', () => {
    const text = formatExposition([
      { name: 'x_up', help: 'Up.', type: 'gauge', samples: [{ value: 1 }] },
      { name: 'x_none', help: 'Nothing yet.', type: 'gauge', samples: [] },
      {
        name: 'x_total',
        help: 'Counts.',
        type: 'counter',
        samples: [
          { labels: { name: 'a', kind: 'k' }, value: 3 },
          { labels: { name: 'b', kind: 'k' }, value: 4 },
        ],
      },
    ]);
    assert.equal(
      text,
      [
        '# HELP x_up Up.',
        '# TYPE x_up gauge',
        'x_up 1',
        '# HELP x_total Counts.',
        '# TYPE x_total counter',
        'x_total{name="a",kind="k"} 3',
        'x_total{name="b",kind="k"} 4',
        '',
      ].join('\n'),
    );
    assert.equal(formatExposition([]), '');
  });

  test('a sample parses line by line with the strict reader and reads back unchanged', () => {
    const families: MetricFamily[] = [
      {
        name: 'demo_phase',
        help: 'Help with "quotes", a \\ and a\nnewline.',
        type: 'gauge',
        samples: [
          { labels: { phase: 'running' }, value: 1 },
          { labels: { phase: AWKWARD }, value: 0 },
        ],
      },
      {
        name: 'demo_bytes_total',
        help: 'Bytes.',
        type: 'counter',
        samples: [
          { labels: { proxy: 'in-gress', direction: 'in' }, value: 123456789012 },
          { labels: { proxy: 'in-gress', direction: 'out' }, value: 0.5 },
        ],
      },
      { name: 'demo_inf', help: 'Inf.', type: 'gauge', samples: [{ value: Infinity }] },
    ];
    const parsed = parseExposition(formatExposition(families));
    assert.deepEqual([...parsed.families.keys()], ['demo_phase', 'demo_bytes_total', 'demo_inf']);
    assert.deepEqual(parsed.families.get('demo_phase'), {
      help: 'Help with "quotes", a \\ and a\nnewline.',
      type: 'gauge',
    });
    assert.equal(parsed.families.get('demo_bytes_total')?.type, 'counter');
    assert.equal(sampleValue(parsed, 'demo_phase', { phase: AWKWARD }), 0);
    assert.equal(sampleValue(parsed, 'demo_phase', { phase: 'running' }), 1);
    assert.equal(
      sampleValue(parsed, 'demo_bytes_total', { proxy: 'in-gress', direction: 'in' }),
      123456789012,
    );
    assert.equal(sampleValue(parsed, 'demo_inf'), Infinity);
    assert.equal(parsed.samples.length, 5);
  });

  test('the strict reader refuses what the format does not allow', () => {
    for (const bad of [
      'x 1\n', // a sample before its TYPE
      '# TYPE x gauge\nx{a="unescaped"quote"} 1\n',
      '# TYPE x gauge\nx{a="v"} one\n',
      '# TYPE x gauge\n# TYPE x gauge\nx 1\n',
      '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n', // x not contiguous
      '# TYPE x gauge\nx 1', // no final newline
    ]) {
      assert.throws(() => parseExposition(bad), assert.AssertionError, bad);
    }
  });

  test('invalid metric or label names and a family given twice throw', () => {
    const family = (name: string, labels: Record<string, string> = {}): MetricFamily => ({
      name,
      help: 'h',
      type: 'gauge',
      samples: [{ labels, value: 1 }],
    });
    assert.throws(() => formatExposition([family('bad-name')]), /invalid metric name/);
    assert.throws(() => formatExposition([family('ok', { 'bad-label': 'v' })]), /invalid label/);
    assert.throws(() => formatExposition([family('ok', { __reserved: 'v' })]), /invalid label/);
    assert.throws(() => formatExposition([family('ok'), family('ok')]), /given twice/);
  });
});
