// Secret values registered here are replaced by [REDACTED] in every log line, as a last
// line of defence: code should never log a secret in the first place. Each Logger owns
// one (its children share it): the stages that see a secret register it with the logger
// they were given (`logger.redactor.add`), so one run's lines mask that run's secrets.

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
      if (out.includes(needle)) out = out.split(needle).join(MASK);
    }
    return out;
  }

  /**
   * The same on raw bytes (a child's output line, possibly not UTF-8): every needle's
   * UTF-8 bytes are replaced, every other byte is left as it was.
   */
  redactBytes(bytes: Buffer): Buffer {
    let out = bytes;
    for (const needle of this.#needles) {
      const find = Buffer.from(needle, 'utf8');
      let at = out.indexOf(find);
      if (at < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at >= 0) {
        parts.push(out.subarray(from, at), MASK_BYTES);
        from = at + find.length;
        at = out.indexOf(find, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }
}

const MASK = '[REDACTED]';
const MASK_BYTES = Buffer.from(MASK, 'utf8');
