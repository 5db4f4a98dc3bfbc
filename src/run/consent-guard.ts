// What the run does with consent, once per refresh cycle: the cycle's answers go to the
// tracker (src/consent/); a collaborator newly revoked is logged with its likely cause;
// the material it withdraws (onRevoke stop) stops being served at once — its proxies
// close (open connections destroyed, no drain), its processes stop for good, its files go,
// its bytes are zeroed, one ERROR line per action — and once no proxy and no process is
// left, the run ends with TEEINIT_CONSENT_REVOKED. What is revoked but kept (onRevoke
// keep) is named in a WARNING each cycle. A revocation lasts for the life of the run.
import {
  ConsentTracker,
  withdrawnBy,
  type CollaboratorConsent,
  type Withdrawn,
} from '../consent/index.js';
import { TeeinitError } from '../errors/index.js';
import type { Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { SecretFiles } from '../materialize/index.js';
import type { Plan } from '../plan/types.js';
import type { Supervisor } from '../supervisor/index.js';
import type { RunningProxies } from './proxies.js';

/** What the guard acts on; `material()` is the material in use now. */
export interface ConsentGuardParts {
  readonly plan: Plan;
  readonly proxies: RunningProxies;
  readonly supervisor: Supervisor;
  readonly files: SecretFiles;
  readonly material: () => Material;
  /** Ends the run with this error (reported once, its exit code). */
  readonly end: (error: TeeinitError) => void;
}

export class ConsentGuard {
  readonly tracker: ConsentTracker;
  readonly #parts: ConsentGuardParts;
  readonly #closed = new Set<string>();
  readonly #retired = new Set<string>();
  readonly #erased = new Set<string>();
  #ended = false;

  constructor(parts: ConsentGuardParts, confirmations: number) {
    this.#parts = parts;
    const names = parts.plan.collaborators.map((c) => c.name);
    this.tracker = new ConsentTracker(names, confirmations);
  }

  /** A secret's fetch in the current cycle ended (see fetchAll's onSettled). */
  observe = (secret: string, collaborator: string, error?: TeeinitError): void => {
    this.tracker.observe(secret, collaborator, error);
  };

  /** Why: the loop retries sooner while a refusal awaits its confirmations. */
  suspect(): boolean {
    return this.tracker.refusing().length > 0;
  }

  /** Why: /status and /metrics. */
  snapshot(): CollaboratorConsent[] {
    return this.tracker.snapshot();
  }

  /** After every cycle (succeeded or failed): counts, logs, withdraws, maybe ends the run. */
  async afterCycle(log: Logger): Promise<void> {
    const newly = this.tracker.endCycle();
    for (const name of newly) {
      const c = this.tracker.get(name);
      log.error('collaborator revoked its consent', {
        collaborator: name,
        state: 'revoked',
        confirmations: c?.confirmations,
        code: c?.lastRefusal?.code,
        secret: c?.lastRefusal?.secret,
        cause: c?.lastRefusal?.cause,
        likelyCause: c?.lastRefusal?.causeText,
        onRevoke: this.#parts.plan.config.collaborators[name]?.onRevoke ?? 'keep',
      });
    }
    for (const name of this.tracker.refusing()) {
      const c = this.tracker.get(name);
      log.warn('collaborator refused; a revocation if it persists', {
        collaborator: name,
        state: 'refusing',
        count: c?.count,
        confirmations: c?.confirmations,
        code: c?.lastRefusal?.code,
        cause: c?.lastRefusal?.cause,
        likelyCause: c?.lastRefusal?.causeText,
      });
    }
    const revoked = new Set(this.tracker.revoked());
    if (revoked.size === 0) return;
    const withdrawn = withdrawnBy(this.#parts.plan, revoked);
    this.#warnKept(log, revoked, withdrawn);
    await this.#withdraw(log, withdrawn, revoked);
  }

  /** `keep`: today's behaviour, and a WARNING each cycle saying what is served regardless. */
  #warnKept(log: Logger, revoked: ReadonlySet<string>, w: Withdrawn): void {
    const { config } = this.#parts.plan;
    for (const name of revoked) {
      const secrets = [...w.keptSecrets].filter((s) => config.secrets[s]?.from === name);
      const keys = [...w.keptKeys].filter((k) =>
        (config.keys[k]?.shares ?? []).some((s) => config.secrets[s]?.from === name),
      );
      if (secrets.length === 0 && keys.length === 0) continue;
      const c = this.tracker.get(name);
      log.warn('collaborator revoked its consent; its material is still served (onRevoke: keep)', {
        collaborator: name,
        state: 'revoked',
        since: c?.since,
        cause: c?.lastRefusal?.cause,
        likelyCause: c?.lastRefusal?.causeText,
        secrets: secrets.join(','),
        keys: keys.join(','),
      });
    }
  }

  async #withdraw(log: Logger, w: Withdrawn, revoked: ReadonlySet<string>): Promise<void> {
    const { proxies, supervisor, files, plan } = this.#parts;
    const collaborators = [...revoked].join(',');
    const closing: Promise<void>[] = [];
    for (const p of w.proxies) {
      if (this.#closed.has(p.name)) continue;
      this.#closed.add(p.name);
      log.error('proxy closed: the material it serves was withdrawn', {
        proxy: p.name,
        collaborators,
        listen: p.listen,
      });
      closing.push(proxies.closeNow(p.name));
    }
    const stopping: Promise<boolean>[] = [];
    for (const p of w.processes) {
      if (this.#retired.has(p.name)) continue;
      this.#retired.add(p.name);
      log.error('process stopped for good: the material it uses was withdrawn', {
        process: p.name,
        collaborators,
      });
      stopping.push(supervisor.retire(p.name));
    }
    await Promise.all([...closing, ...stopping]);
    const removed = files.removeFiles(w.names);
    if (removed.length > 0) {
      log.error('secret files removed: their material was withdrawn', {
        files: removed.join(','),
        collaborators,
      });
    }
    const material = this.#parts.material();
    const erased: string[] = [];
    for (const name of [...w.secrets, ...w.keys]) {
      if (this.#erased.has(name)) continue;
      const bytes = material.secrets.get(name) ?? material.keys.get(name);
      if (bytes === undefined) continue;
      bytes.fill(0);
      this.#erased.add(name);
      erased.push(name);
    }
    if (erased.length > 0) {
      log.error('withdrawn material erased from memory', {
        names: erased.join(','),
        collaborators,
      });
    }
    const stopped = this.#closed.size + this.#retired.size;
    const left = proxies.serving().length + plan.processes.length - this.#retired.size;
    if (stopped > 0 && left === 0 && !this.#ended) {
      this.#ended = true;
      this.#parts.end(
        new TeeinitError(
          'TEEINIT_CONSENT_REVOKED',
          `Consent revoked by ${[...revoked].map((c) => `collaborator "${c}"`).join(', ')}: every proxy and process used the withdrawn material; nothing is left to serve.`,
          { fields: { collaborators } },
        ),
      );
    }
  }
}
