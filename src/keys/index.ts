// Derive & validate: PSK shares → keys, X.509 bundle checks. See docs/psk.md.
export { deriveAndValidate, type Material } from './derive-and-validate.js';
export { effectiveChanges, missingNow } from './key-changes.js';
export { createShareQuorum } from './share-quorum.js';
export {
  deriveKey,
  hkdfSha256,
  sha256Concat,
  SHA256_CONCAT_LENGTH,
  type ShareInput,
} from './kdf.js';
export { checkShares, parseShare, MIN_SHARE_BYTES, type NamedShare } from './shares.js';
export {
  formatShare,
  keyIdOf,
  parseShareText,
  MAX_SECRET_BYTES,
  MIN_SECRET_BYTES,
  SHARE_PREFIX,
  type ThresholdShare,
} from './share-format.js';
export {
  freshSecret,
  recoverSecret,
  splitSecret,
  type HeldShare,
  type NotRecovered,
  type Recovered,
  type RejectedShare,
} from './threshold.js';
export {
  acceptShare,
  deriveThresholdKey,
  thresholdNotMet,
  type DerivedKey,
  type KeyOrigin,
  type ShareSource,
  type UnusableShare,
} from './threshold-key.js';
export {
  checkTlsBundle,
  type ChainCertificate,
  type TlsMaterial,
  type TlsPems,
} from './tls-bundle.js';
export { parseSubjectAltName, unquoteValue } from './subject-alt-name.js';
