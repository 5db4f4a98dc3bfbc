// The fetch google-auth-library's HTTP calls go through: gaxios's own node-fetch, except
// that a request whose signal is already aborted is refused instead of handed to it.
// node-fetch 3 answers an already-aborted signal by destroying the request's body stream
// (a Readable it made from the STS/IAM form body, with no 'error' listener): the 'error'
// event then surfaces as an uncaught exception after the call already rejected, which
// would crash teeinit on a SIGTERM during start-up instead of exiting 143.
type FetchFn = typeof fetch;

let loaded: Promise<FetchFn> | undefined;

/**
 * node-fetch as gaxios loads it (`import('node-fetch')`), once. It is gaxios's dependency,
 * not ours: guarded-fetch.test.ts checks that both resolve to the same copy, and the
 * production bundle (scripts/bundle.ts) resolves this import from gaxios's directory.
 */
function loadNodeFetch(): Promise<FetchFn> {
  loaded ??= import('node-fetch').then((mod) => mod.default as unknown as FetchFn);
  return loaded;
}

/** What a refused request rejects with (named like node-fetch's, so it maps the same way). */
function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

/** gaxios `fetchImplementation`: never starts node-fetch on an already-aborted signal. */
export const guardedFetch: FetchFn = async (input, init) => {
  const fetchImpl = await loadNodeFetch();
  // Checked after the last await: node-fetch registers its abort listener and pipes the
  // body synchronously, so a signal that is not aborted here can only abort a request
  // node-fetch is already handling (which it does cleanly).
  if (init?.signal?.aborted === true) throw abortError();
  return fetchImpl(input, init);
};
