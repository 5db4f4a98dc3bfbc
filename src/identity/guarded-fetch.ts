// The fetch google-auth-library's HTTP calls go through: gaxios's own node-fetch, except
// that a request whose signal is already aborted is refused instead of handed to it.
// node-fetch 3 answers an already-aborted signal by destroying the request's body stream
// (a Readable it made from the STS/IAM form body, with no 'error' listener): the 'error'
// event then surfaces as an uncaught exception after the call already rejected, which
// would crash teeinit on a SIGTERM during start-up instead of exiting 143.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type FetchFn = typeof fetch;

let loaded: Promise<FetchFn> | undefined;

/** node-fetch exactly as gaxios resolves it (its dependency, not ours), loaded once. */
function loadNodeFetch(): Promise<FetchFn> {
  loaded ??= (async () => {
    const fromHere = createRequire(import.meta.url);
    const fromGaxios = createRequire(
      createRequire(fromHere.resolve('google-auth-library')).resolve('gaxios'),
    );
    const url = pathToFileURL(fromGaxios.resolve('node-fetch')).href;
    const mod = (await import(url)) as { default: FetchFn };
    return mod.default;
  })();
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
