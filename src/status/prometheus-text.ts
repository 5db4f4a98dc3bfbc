// A small writer of the Prometheus text exposition format, version 0.0.4 (what `/metrics`
// serves): one `# HELP` and one `# TYPE` line per metric family, then its samples, label
// values escaped (backslash, double quote, newline). No dependency: the format is small and
// teeinit only writes it.

/** Why: the content type a scraper expects for this format (version 0.0.4). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One sample: label name → value (names are config names, never secret values). */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Why: a family is the unit of the format (one name, one HELP, one TYPE, its samples). */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Why: a label value may hold any text; the format needs `\`, `"` and newlines escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Why: HELP text escapes only backslash and newline (quotes stay as they are). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Why: Go's ParseFloat reads these; JavaScript's spelling of the non-finite ones differs. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Why: the `/metrics` body. Families without samples are left out; a name given twice, or
 * an invalid metric or label name, is a programming error and throws.
 */
export function formatExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} given twice`);
    seen.add(family.name);
    if (family.samples.length === 0) continue;
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    out += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      out += `${family.name}${formatLabels(sample.labels ?? {})} ${formatValue(sample.value)}\n`;
    }
  }
  return out;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new Error(`invalid label name ${name}`);
    }
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}
