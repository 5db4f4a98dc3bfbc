// A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line
// must be a HELP, a TYPE or a sample line as the format spells them; HELP and TYPE come once
// per family, before its samples; a family's samples are contiguous. Throws on anything else.
import assert from 'node:assert/strict';

/** One parsed sample: its labels unescaped, its value as a number. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What a scrape holds: families by name, and every sample in order. */
export interface ParsedExposition {
  readonly families: ReadonlyMap<string, { help: string; type: string }>;
  readonly samples: readonly ParsedSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|NaN|[-+]Inf)';
const HELP_RE = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_RE = new RegExp(
  `^(${NAME})(?:\\{(${LABEL}="${LABEL_VALUE}"(?:,${LABEL}="${LABEL_VALUE}")*)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const PAIR_RE = new RegExp(`(${LABEL})="(${LABEL_VALUE})"`, 'g');

const unescape = (s: string): string =>
  s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

const toNumber = (s: string): number =>
  s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : s === 'NaN' ? NaN : Number(s);

/** Why: a scrape that a real Prometheus would reject fails the test, line by line. */
export function parseExposition(text: string): ParsedExposition {
  assert.ok(text === '' || text.endsWith('\n'), 'the exposition ends with a newline');
  const families = new Map<string, { help: string; type: string }>();
  const helps = new Map<string, string>();
  const closed = new Set<string>();
  const samples: ParsedSample[] = [];
  let current: string | undefined;
  const enter = (name: string, line: string): void => {
    if (current === name) return;
    assert.ok(!closed.has(name), `family ${name} is not contiguous: ${line}`);
    if (current !== undefined) closed.add(current);
    current = name;
  };
  for (const line of text.split('\n').slice(0, -1)) {
    const help = HELP_RE.exec(line);
    const type = TYPE_RE.exec(line);
    const sample = SAMPLE_RE.exec(line);
    if (help !== null) {
      const name = help[1] ?? '';
      enter(name, line);
      assert.ok(!helps.has(name), `HELP given twice for ${name}`);
      helps.set(name, unescape(help[2] ?? ''));
    } else if (type !== null) {
      const name = type[1] ?? '';
      enter(name, line);
      assert.ok(!families.has(name), `TYPE given twice for ${name}`);
      assert.ok(!samples.some((s) => s.name === name), `TYPE after samples of ${name}`);
      families.set(name, { help: helps.get(name) ?? '', type: type[2] ?? '' });
    } else if (sample !== null) {
      const name = sample[1] ?? '';
      enter(name, line);
      assert.ok(families.has(name), `a sample of ${name} before its TYPE line`);
      const labels: Record<string, string> = {};
      for (const pair of (sample[2] ?? '').matchAll(PAIR_RE)) {
        const key = pair[1] ?? '';
        assert.ok(!(key in labels), `label ${key} given twice: ${line}`);
        labels[key] = unescape(pair[2] ?? '');
      }
      samples.push({ name, labels, value: toNumber(sample[3] ?? '') });
    } else {
      assert.fail(`not a line of the exposition format: ${JSON.stringify(line)}`);
    }
  }
  return { families, samples };
}

/** Why: tests look up one series by name and labels (exact label set). */
export function sampleValue(
  parsed: ParsedExposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return parsed.samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
  )?.value;
}
