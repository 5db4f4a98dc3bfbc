// The launcher's token endpoint failing: every `GET`/`POST /v1/token` on teeserver.sock runs
// a remote attestation, and the launcher (google/go-tpm-tools launcher/teeserver/tee_server.go)
// answers HTTP 500 with plain text when it fails: `failed to refresh attestation agent: …` or
// `failed to retrieve attestation service token: …` for GET, `failed to retrieve custom
// attestation service token: …` for POST. Here the first N calls fail that way.

/** What follows the launcher's prefix; the launcher wraps the verifier's gRPC error. */
const CAUSE = 'rpc error: code = Unavailable desc = attestation verifier unavailable (emulated)';

/** The launcher's 500 texts for GET /v1/token, used in turn. */
export const LAUNCHER_GET_FAILURES = [
  `failed to refresh attestation agent: ${CAUSE}`,
  `failed to retrieve attestation service token: ${CAUSE}`,
] as const;

/** The launcher's 500 text for POST /v1/token (a custom token). */
export const LAUNCHER_POST_FAILURE = `failed to retrieve custom attestation service token: ${CAUSE}`;

/** Counts down the calls that still fail (config `teeserver.failFirst`, `failNext(n)`). */
export class LauncherFailures {
  #left: number;
  #failed = 0;

  constructor(failFirst = 0) {
    this.#left = checked(failFirst);
  }

  /** Calls that will still fail. */
  get remaining(): number {
    return this.#left;
  }

  /** Why: tests and the TS API make the next `n` token calls fail (0 stops it). */
  failNext(n: number): void {
    this.#left = checked(n);
  }

  /** The 500 text for this call, or undefined when it succeeds; consumes one failure. */
  take(method: 'GET' | 'POST'): string | undefined {
    if (this.#left <= 0) return undefined;
    this.#left -= 1;
    const text =
      method === 'POST'
        ? LAUNCHER_POST_FAILURE
        : LAUNCHER_GET_FAILURES[this.#failed % LAUNCHER_GET_FAILURES.length];
    this.#failed += 1;
    return text;
  }
}

function checked(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`expected a count ≥ 0, got ${n}`);
  return n;
}
