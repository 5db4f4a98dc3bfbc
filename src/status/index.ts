// The teeinit-wide health and status endpoint (`status.listen`) and the state it reports.
export { startStatusEndpoint, type StatusEndpoint } from './status-server.js';
export {
  StatusState,
  type CertificateStatus,
  type RefreshStatus,
  type RunPhase,
  type StatusDocument,
} from './status-state.js';
