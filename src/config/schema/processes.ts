// Schema of supervised processes: argv, env, user, readiness, restart policy, stopping.
import { z } from 'zod';
import { DEFAULTS } from '../defaults.js';
import { duration, envName, name, signal, token } from './primitives.js';
import { onRefreshSchema } from './refresh.js';

const R = DEFAULTS.restart;

export const restartSchema = z.strictObject({
  policy: z.enum(['never', 'on-failure', 'always']).default(R.policy),
  backoff: duration().default(R.backoff),
  maxBackoff: duration().default(R.maxBackoff),
  maxRestarts: z.number().int().min(0).max(1000).default(R.maxRestarts),
  window: duration().default(R.window),
});

export const readySchema = z.strictObject({
  tcp: token.optional(),
  file: token.optional(),
  command: z.array(z.string()).min(1).optional(),
  timeout: duration().default(DEFAULTS.ready.timeout),
  interval: duration().default(DEFAULTS.ready.interval),
});

export const processSchema = z.strictObject({
  name,
  run: z.array(z.string()).min(1, { error: 'expected a non-empty argv array' }),
  env: z.record(envName, z.string()).default({}),
  inheritEnv: z.boolean().default(DEFAULTS.process.inheritEnv),
  cwd: token.optional(),
  user: token.optional(),
  group: token.optional(),
  allowValue: z.boolean().default(false),
  ready: readySchema.optional(),
  restart: restartSchema.prefault({}),
  stopSignal: signal.default(DEFAULTS.process.stopSignal),
  stopTimeout: duration().default(DEFAULTS.process.stopTimeout),
  prefixOutput: z.boolean().default(DEFAULTS.process.prefixOutput),
  onRefresh: onRefreshSchema,
});
