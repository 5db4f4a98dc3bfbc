// Node's X509Certificate prints SANs as one string; this turns it back into entries for
// the proxy's peer authorization (kept with the other X.509 parsing of the keys stage).

/**
 * Why: Node prints SANs as `DNS:a, URI:b` and JSON-quotes values holding separators
 * (`DNS:"a, b"`), so a plain split on ", " could be fooled by a crafted certificate.
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      value = unquoteValue(text.slice(colon + 1, j + 1));
      next = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      next = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    i = text.startsWith(', ', next) ? next + 2 : next + 1;
  }
  return out;
}

/** Why: Node JSON-quotes subject and SAN values that hold separators; this undoes it. */
export function unquoteValue(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}
