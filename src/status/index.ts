// The teeinit-wide health and status endpoint (`status.listen`) and the state it reports.
export { startStatusEndpoint, type StatusEndpoint } from './status-server.js';
export { EXPOSITION_CONTENT_TYPE, formatExposition, type MetricFamily } from './prometheus-text.js';
export { statusMetrics } from './status-metrics.js';
export {
  StatusState,
  type CertificateStatus,
  type RefreshStatus,
  type RunPhase,
  type StatusDocument,
} from './status-state.js';
