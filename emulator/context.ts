// What every emulator service receives: the shared store, token registry, fault injector
// and clock. Services are plain request handlers over this context.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenRegistry } from './access-tokens.js';
import type { FaultInjector } from './faults-contract.js';
import type { EmulatorStore } from './store.js';

export interface EmulatorContext {
  readonly store: EmulatorStore;
  readonly tokens: AccessTokenRegistry;
  readonly faults: FaultInjector;
  readonly now: () => number;
}

/** One HTTP service of the emulator (STS, IAM credentials, Secret Manager, metadata…). */
export interface EmulatorService {
  readonly name: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
