// Secret values registered here are replaced by [REDACTED] in every log line, as a last
// line of defence: code should never log a secret in the first place.

const MIN_LENGTH = 6;

/** Holds the secret values seen in this process (strings and their common encodings). */
export class Redactor {
  readonly #needles = new Set<string>();

  /** Registers a secret value; short values are skipped (they would redact ordinary words). */
  add(value: Buffer | string): void {
    const buf = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const forms = [buf.toString('utf8').trim(), buf.toString('hex'), buf.toString('base64')];
    for (const form of forms) {
      if (form.length >= MIN_LENGTH && !form.includes('\uFFFD')) this.#needles.add(form);
    }
    // PEM and multi-line secrets: every substantial line is a needle of its own.
    for (const line of buf.toString('utf8').split('\n')) {
      const t = line.trim();
      if (t.length >= 16 && !t.startsWith('-----')) this.#needles.add(t);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.#needles) {
      if (out.includes(needle)) out = out.split(needle).join('[REDACTED]');
    }
    return out;
  }
}

/** The process-wide redactor used by the default logger. */
export const redactor = new Redactor();
