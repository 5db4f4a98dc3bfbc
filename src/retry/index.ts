// Retry timing and cancellation shared by the identity, fetch and refresh stages: full-jitter
// backoff, a sleep an AbortSignal cuts short, a race of any promise against a signal, and a
// deadline signal whose expiry names the config key that set it, and the one classification
// of failures (outage, denied, refusal, credential, corrupt) every stage retries by.
export { abortable, backoffDelay, sleep } from './backoff.js';
export { startDeadline, type Deadline, type DeadlineFor, type DeadlineKey } from './deadline.js';
export {
  classifyIamCredentials,
  classifyLauncher,
  classifySecretManager,
  classifySts,
  classifyTransport,
  failureOf,
  withFailure,
  type FailureKind,
} from './failure.js';
export {
  GRACE_KEY,
  PROPAGATION_REASON,
  startPermissionGrace,
  type DeniedAt,
  type PermissionGrace,
} from './permission-grace.js';
