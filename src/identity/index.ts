// Identity stage: attestation token sources and per-collaborator credentials.
export { createIdentities, type Identities } from './identities.js';
export { readTokenFile, type TokenFileOptions } from './token-file.js';
export { readTeeserverToken, type TeeserverOptions } from './teeserver.js';
export { createTokenSource, type TokenSource } from './token-source.js';
export { assertTokenFresh, decodeTokenTimes, type TokenTimes } from './jwt-expiry.js';
export {
  readTokenClaims,
  tokenClaimsOf,
  withTokenClaims,
  type TokenClaims,
} from './token-claims.js';
