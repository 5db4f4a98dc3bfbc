// Log lines about the certificates of every checked TLS bundle, at start-up and after each
// refresh that changed them: when each expires and a warning when one is close. Without
// `refresh`, these lines are how an operator learns that a restart with new versions is due.
import type { TlsMaterial } from '../keys/index.js';
import type { Logger } from '../log/index.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * Why: a week leaves collaborators time to publish new versions and the operator time to
 * restart the container, even across a weekend. Documented in docs/configuration.md (tls).
 */
export const EXPIRY_WARNING_DAYS = 7;

/**
 * Why: one `certificate validated` line per bundle (leaf subject, notAfter, time left, chain
 * length) and one `certificate expires soon` warning per leaf, intermediate or CA that
 * expires within EXPIRY_WARNING_DAYS. Only names and dates: never PEM or key material.
 */
export function logCertificates(
  tls: ReadonlyMap<string, TlsMaterial>,
  now: Date,
  logger: Logger,
  refreshing = false,
): void {
  const hint = refreshing
    ? 'teeinit fetches again on every refresh: have the collaborator publish a new version under the alias or latest that the secret ref names'
    : 'teeinit fetches only at start-up: configure refresh, or have the collaborator publish a new version, then restart the container';
  for (const [bundle, material] of tls) {
    logger.info('certificate validated', {
      bundle,
      subject: material.subject,
      notAfter: material.notAfter.toISOString(),
      ...timeLeft(material.notAfter, now),
      chainLength: material.chain.length,
    });
    for (const cert of material.chain) {
      if (cert.notAfter.getTime() - now.getTime() > EXPIRY_WARNING_DAYS * DAY) continue;
      logger.warn('certificate expires soon', {
        bundle,
        role: cert.role,
        subject: cert.subject,
        notAfter: cert.notAfter.toISOString(),
        ...timeLeft(cert.notAfter, now),
        warnDays: EXPIRY_WARNING_DAYS,
        hint,
      });
    }
  }
}

/** Whole hours and days until `notAfter` (rounded down; negative within the clock skew). */
function timeLeft(notAfter: Date, now: Date): { hoursLeft: number; daysLeft: number } {
  const ms = notAfter.getTime() - now.getTime();
  return { hoursLeft: Math.floor(ms / HOUR), daysLeft: Math.floor(ms / DAY) };
}
