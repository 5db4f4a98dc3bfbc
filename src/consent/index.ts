// Living consent: each collaborator's consent as refresh cycles see it (a persistent
// refusal is a revocation, an outage never is), the likely cause of a refusal, and what a
// revocation withdraws (docs/consent.md).
export { ConsentTracker, type CollaboratorConsent, type ConsentState } from './consent-tracker.js';
export {
  describeClaims,
  revocationEvidence,
  type CauseCode,
  type LikelyCause,
} from './likely-cause.js';
export {
  collaboratorOnRevoke,
  keyOnRevoke,
  withdrawnBy,
  type Withdrawn,
} from './withdrawn-material.js';
