// Error registry and base class, re-exported for the rest of teeinit.
export { ERROR_CODES, EXIT, type ErrorCode, type ErrorSpec } from './codes.js';
export { TeeinitError, toTeeinitError, type TeeinitErrorOptions } from './teeinit-error.js';
export { printable, MAX_SHOWN, terminalSafe } from './printable.js';
