// URI SAN patterns for authorization (SPIFFE IDs): `*` matches exactly one non-empty path
// segment, a trailing `/**` matches one or more further segments; everything else is literal.

/** Why: SPIFFE IDs are matched segment by segment, never as free-form globs or regexes. */
export function matchUriPattern(pattern: string, uri: string): boolean {
  const want = pattern.split('/');
  const have = uri.split('/');
  const last = want[want.length - 1];
  const prefixOnly = last === '**';
  if (prefixOnly) want.pop();
  if (prefixOnly ? have.length <= want.length : have.length !== want.length) return false;
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i];
    const h = have[i] ?? '';
    if (w === '*') {
      if (h === '') return false;
    } else if (w !== h) {
      return false;
    }
  }
  if (prefixOnly) return have.slice(want.length).every((segment) => segment !== '');
  return true;
}
