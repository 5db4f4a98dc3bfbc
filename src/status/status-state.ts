// What the status endpoint reports, updated by the run pipeline as it goes: its phase, the
// certificates of the last validated material, the refresh loop's results, and live views
// of the supervisor and the proxies. Only names, dates and counters are kept: never a
// secret value, a file's contents, argv or environment values.
import type { CollaboratorConsent } from '../consent/index.js';
import type { TeeinitError } from '../errors/index.js';
import type { TlsMaterial } from '../keys/index.js';
import { Redactor } from '../log/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { ProcessStatus, SupervisorStatus } from '../supervisor/index.js';

/** Why: /healthz and /readyz answer from one of three phases. */
export type RunPhase = 'starting' | 'running' | 'stopping';

/** One TLS bundle's leaf, as the `certificate validated` log line shows it. */
export interface CertificateStatus {
  readonly bundle: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly daysLeft: number;
}

/** The refresh loop's last results (all absent until the first cycle). */
export interface RefreshStatus {
  readonly enabled: boolean;
  /** Cycles begun and cycles failed since start (counters for `/metrics`). */
  readonly attempts: number;
  readonly failures: number;
  readonly lastAttemptAt?: string;
  readonly lastSuccessAt?: string;
  /** The last failed cycle's code and (secret-free) message; cleared by a success. */
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly nextAt?: string;
}

/** The `/status` document. */
export interface StatusDocument {
  readonly phase: RunPhase;
  readonly version: string;
  readonly configSha256: string;
  /** When the teeinit process started (ISO 8601). */
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly processes: readonly ProcessStatus[];
  readonly certificates: readonly CertificateStatus[];
  readonly refresh: RefreshStatus;
  readonly proxies: readonly ProxyStats[];
  /**
   * Each collaborator's consent as refresh cycles see it (docs/consent.md); empty without
   * `refresh`, where consent is checked at start-up only.
   */
  readonly collaborators: readonly CollaboratorConsent[];
}

const DAY = 24 * 3600 * 1000;

/** Why: the pipeline writes, the endpoint reads; the refresh loop reports through it too. */
export class StatusState {
  readonly #version: string;
  readonly #hash: string;
  readonly #processNames: readonly string[];
  readonly #redactor: Redactor;
  readonly #startedAt = new Date(Date.now() - Math.round(process.uptime() * 1000));
  #phase: RunPhase = 'starting';
  #supervisor: (() => SupervisorStatus) | undefined;
  #proxies: () => readonly { stats(): ProxyStats }[] = () => [];
  #consent: () => readonly CollaboratorConsent[] = () => [];
  #certificates: { bundle: string; subject: string; notAfter: Date }[] = [];
  #refresh: { -readonly [K in keyof RefreshStatus]: RefreshStatus[K] };

  constructor(options: {
    version: string;
    configSha256: string;
    processes: readonly string[];
    refresh: boolean;
    /** Applied to error messages: the run's logger's (default: an empty one). */
    redactor?: Redactor;
  }) {
    this.#version = options.version;
    this.#redactor = options.redactor ?? new Redactor();
    this.#hash = options.configSha256;
    this.#processNames = options.processes;
    this.#refresh = { enabled: options.refresh, attempts: 0, failures: 0 };
  }

  /** The phase /healthz and /readyz answer from; the supervisor ending counts as stopping. */
  get phase(): RunPhase {
    if (this.#phase === 'stopping' || this.#supervisor?.().phase === 'stopping') return 'stopping';
    return this.#phase;
  }

  /**
   * Why: /readyz. `ok` while running with every process up and ready; a process being
   * restarted (by its policy) is `restarting` until its ready check passes again.
   */
  get readiness(): 'ok' | 'restarting' | RunPhase {
    const phase = this.phase;
    if (phase !== 'running') return phase;
    // A process stopped for good after a revocation is not coming back: not waited for.
    const processes = (this.#supervisor?.().processes ?? []).filter((p) => p.retired !== true);
    return processes.every((p) => p.ready) ? 'ok' : 'restarting';
  }

  /** `running` only once everything is up; `stopping` is final. */
  setPhase(phase: RunPhase): void {
    if (this.#phase !== 'stopping') this.#phase = phase;
  }

  /** Live views: the supervisor's read-only status and the running proxies. */
  attach(views: {
    supervisor?: () => SupervisorStatus;
    proxies?: () => readonly { stats(): ProxyStats }[];
    consent?: () => readonly CollaboratorConsent[];
  }): void {
    if (views.supervisor !== undefined) this.#supervisor = views.supervisor;
    if (views.proxies !== undefined) this.#proxies = views.proxies;
    if (views.consent !== undefined) this.#consent = views.consent;
  }

  /** After start-up validation and after each refresh: names and dates only are kept. */
  setCertificates(tls: ReadonlyMap<string, TlsMaterial>): void {
    this.#certificates = [...tls].map(([bundle, m]) => ({
      bundle,
      subject: m.subject,
      notAfter: m.notAfter,
    }));
  }

  /** Refresh loop: the next cycle is due at `at`. */
  refreshScheduled(at: Date): void {
    this.#refresh.nextAt = at.toISOString();
  }

  /** Refresh loop: a cycle begins. */
  refreshAttempted(at: Date): void {
    this.#refresh.lastAttemptAt = at.toISOString();
    this.#refresh.attempts++;
    delete this.#refresh.nextAt;
  }

  /** Refresh loop: a cycle succeeded (changed or not); `tls` is the material now in use. */
  refreshSucceeded(at: Date, tls: ReadonlyMap<string, TlsMaterial>): void {
    this.#refresh.lastSuccessAt = at.toISOString();
    delete this.#refresh.lastError;
    this.setCertificates(tls);
  }

  /**
   * Refresh loop: a cycle failed. TeeinitError messages name keys, never values, but may
   * quote an endpoint's error page: redacted as the `secret refresh failed` log line is.
   */
  refreshFailed(error: TeeinitError): void {
    this.#refresh.lastError = { code: error.code, message: this.#redactor.redact(error.message) };
    this.#refresh.failures++;
  }

  /** Why: the `/status` body, computed at request time. */
  snapshot(now: Date = new Date()): StatusDocument {
    const supervisor = this.#supervisor?.();
    return {
      phase: this.phase,
      version: this.#version,
      configSha256: this.#hash,
      startedAt: this.#startedAt.toISOString(),
      uptimeMs: Math.round(process.uptime() * 1000),
      processes:
        supervisor?.processes ??
        this.#processNames.map((name) => ({ name, restarts: 0, ready: false })),
      certificates: this.#certificates.map((c) => ({
        bundle: c.bundle,
        subject: c.subject,
        notAfter: c.notAfter.toISOString(),
        daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY),
      })),
      refresh: { ...this.#refresh },
      proxies: this.#proxies().map((p) => p.stats()),
      collaborators: this.#consent().map((c) => ({
        ...c,
        ...(c.lastRefusal === undefined
          ? {}
          : {
              lastRefusal: {
                ...c.lastRefusal,
                causeText: this.#redactor.redact(c.lastRefusal.causeText),
              },
            }),
      })),
    };
  }
}
