// The run's proxies: started in the plan's order (some before the processes, some after),
// read by the status endpoint and the refresh loop, and closed together, once, at shutdown.
import type { Logger } from '../log/index.js';
import type { PlannedProxy } from '../plan/types.js';
import { startProxy, type ProxyMaterial, type RunningProxy } from '../proxy/index.js';

/** A running proxy and what the plan says of it (the secrets its TLS context is built from). */
export interface ProxyEntry {
  readonly planned: PlannedProxy;
  readonly proxy: RunningProxy;
}

export class RunningProxies {
  readonly #entries: ProxyEntry[] = [];
  #closed: Promise<unknown> | undefined;
  readonly #revoked = new Set<string>();

  /**
   * Why: a proxy listens only with checked material (and, if it presents evidence, a first
   * launcher token); rejects with its TEEINIT_PROXY_* error. `cancel` ends the token wait.
   */
  async start(
    planned: PlannedProxy,
    material: ProxyMaterial,
    logger: Logger,
    cancel: AbortSignal,
  ): Promise<void> {
    const log = logger.child({ stage: 'proxy', proxy: planned.name });
    const proxy = await startProxy(planned.config, material, log, { signal: cancel });
    this.#entries.push({ planned, proxy });
  }

  /** The proxies started so far, in start order. */
  entries(): readonly ProxyEntry[] {
    return this.#entries;
  }

  /** Stops accepting and drains each open connection up to `drainMs`; all at once, once. */
  close(drainMs: number): Promise<unknown> {
    this.#closed ??= Promise.allSettled(this.#entries.map((e) => e.proxy.close(drainMs)));
    return this.#closed;
  }

  /**
   * Why: material withdrawn by a revocation must stop being served at once: stops accepting
   * and destroys every open connection of one proxy, no drain. Shutdown's close() later
   * finds it closed already.
   */
  closeNow(name: string): Promise<void> {
    const entry = this.#entries.find((e) => e.planned.name === name);
    if (entry === undefined) return Promise.resolve();
    this.#revoked.add(name);
    return entry.proxy.close(0, 'revoked');
  }

  /** The proxies still serving (not closed by closeNow). */
  serving(): readonly ProxyEntry[] {
    return this.#entries.filter((e) => !this.#revoked.has(e.planned.name));
  }
}
