// Retry timing and cancellation shared by the identity, fetch and refresh stages: full-jitter
// backoff, a sleep an AbortSignal cuts short, a race of any promise against a signal, and a
// deadline signal whose expiry names the config key that set it.
export { abortable, backoffDelay, sleep } from './backoff.js';
export { startDeadline, type Deadline, type DeadlineFor, type DeadlineKey } from './deadline.js';
