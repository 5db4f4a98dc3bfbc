// The structured logger and its redactor.
export {
  Logger,
  silentLogger,
  type LogFields,
  type LoggerOptions,
  type Severity,
} from './logger.js';
export { Redactor } from './redactor.js';
