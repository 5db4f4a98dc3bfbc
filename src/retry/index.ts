// Retry timing and cancellation shared by the identity and fetch stages: full-jitter
// backoff, a sleep an AbortSignal cuts short, and a race of any promise against a signal.
export { abortable, backoffDelay, sleep } from './backoff.js';
