// Derive & validate: PSK shares → keys, X.509 bundle checks. See docs/psk.md.
export { deriveAndValidate, type Material } from './derive-and-validate.js';
export {
  deriveKey,
  hkdfSha256,
  sha256Concat,
  SHA256_CONCAT_LENGTH,
  type ShareInput,
} from './kdf.js';
export { checkShares, parseShare, MIN_SHARE_BYTES, type NamedShare } from './shares.js';
export {
  checkTlsBundle,
  type ChainCertificate,
  type TlsMaterial,
  type TlsPems,
} from './tls-bundle.js';
export { parseSubjectAltName, unquoteValue } from './subject-alt-name.js';
