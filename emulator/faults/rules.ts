// Fault rules: what the emulator's fault injector may do to a matching request, and the
// strict schema that validates rules coming from the admin endpoint or a config file.
import { z } from 'zod';
import { TeeinitError } from '../../src/errors/index.js';
import type { RouteId } from '../faults-contract.js';
import { describeFirstIssue, REPORT_INPUT } from '../zod-issue.js';

/** Every route a rule can name; `*` matches all of them. */
export const ROUTE_IDS = [
  'sts.token',
  'iam.generateAccessToken',
  'secretmanager.access',
  'secretmanager.other',
  'metadata.get',
  'teeserver.token',
] as const satisfies readonly RouteId[];

/** HTTP statuses an `error` rule may answer with. */
export const FAULT_STATUSES = [400, 401, 403, 404, 408, 429, 500, 503, 504] as const;

/**
 * One fault rule, normalized. `times` and `rate` bound how often the rule fires; a rule
 * with `times` is removed after that many firings.
 * @example { "route": "secretmanager.access", "match": "secrets/server-key", "error": { "status": 503 }, "times": 2 }
 */
export interface FaultRule {
  readonly id: string;
  readonly route: RouteId | '*';
  /** Substring of the request path (e.g. `secrets/server-key`); absent = every request. */
  readonly match?: string;
  /** Fire only on the next N matching calls, then the rule is removed. */
  readonly times?: number;
  /** Probability (0..1) that a matching call fires the rule, drawn from the seeded PRNG. */
  readonly rate?: number;
  /** Delay added before the answer (or before the other effect). */
  readonly latencyMs?: number;
  readonly error?: { readonly status: (typeof FAULT_STATUSES)[number]; readonly message?: string };
  /** Destroy the socket without answering. */
  readonly reset?: true;
  readonly corrupt?: 'payload' | 'crc';
  /** `true`: this call sees its token as expired; `all`: every token issued so far expires. */
  readonly expiredToken?: true | 'all';
}

const statusSchema = z.literal(FAULT_STATUSES);
const timesSchema = z.number().int().min(1).max(1_000_000);
const rateSchema = z.number().min(0).max(1);

const ruleSchema = z
  .strictObject({
    id: z.string().min(1).max(64).optional(),
    route: z.enum([...ROUTE_IDS, '*']),
    match: z.string().min(1).max(512).optional(),
    times: timesSchema.optional(),
    rate: rateSchema.optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    error: z
      .strictObject({
        status: statusSchema,
        message: z.string().min(1).max(1024).optional(),
        // Accepted here too (as in `error: {status: 503, times: 2}`); moved to the rule.
        times: timesSchema.optional(),
        rate: rateSchema.optional(),
      })
      .optional(),
    reset: z.literal(true).optional(),
    corrupt: z.enum(['payload', 'crc']).optional(),
    expiredToken: z.union([z.literal(true), z.literal('all')]).optional(),
  })
  .superRefine((r, ctx) => {
    const outcomes = [r.error, r.reset, r.corrupt, r.expiredToken].filter((x) => x !== undefined);
    if (outcomes.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a rule has at most one of error, reset, corrupt, expiredToken',
      });
    }
    if (outcomes.length === 0 && r.latencyMs === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a rule needs latencyMs or one of error, reset, corrupt, expiredToken',
      });
    }
    if (r.error?.times !== undefined && r.times !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'times given both on the rule and in error' });
    }
    if (r.error?.rate !== undefined && r.rate !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'rate given both on the rule and in error' });
    }
  });

const rulesSchema = z.array(ruleSchema).max(1000);

let nextId = 1;

/**
 * Validates one rule, a list of rules or `{rules: [...]}` and normalizes them; `where` is
 * the rules' key path in a larger document (the emulator config's `faults`), for messages.
 */
export function parseFaultRules(input: unknown, where: readonly PropertyKey[] = []): FaultRule[] {
  const wrapped = typeof input === 'object' && input !== null && 'rules' in input;
  const parsed = Array.isArray(input)
    ? rulesSchema.safeParse(input, REPORT_INPUT)
    : wrapped
      ? rulesSchema.safeParse(input.rules, REPORT_INPUT)
      : ruleSchema.transform((r) => [r]).safeParse(input, REPORT_INPUT);
  if (!parsed.success) {
    const prefix = wrapped ? [...where, 'rules'] : where;
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `Invalid fault rule: ${describeFirstIssue(parsed.error, prefix)}`,
      { hint: 'See docs/emulator-secrets.md#fault-rules for the rule format.' },
    );
  }
  return parsed.data.map((r) => normalize(r));
}

function normalize(r: z.infer<typeof ruleSchema>): FaultRule {
  const times = r.times ?? r.error?.times;
  const rate = r.rate ?? r.error?.rate;
  return {
    id: r.id ?? `rule-${nextId++}`,
    route: r.route,
    ...(r.match === undefined ? {} : { match: r.match }),
    ...(times === undefined ? {} : { times }),
    ...(rate === undefined ? {} : { rate }),
    ...(r.latencyMs === undefined ? {} : { latencyMs: r.latencyMs }),
    ...(r.error === undefined
      ? {}
      : {
          error: {
            status: r.error.status,
            ...(r.error.message === undefined ? {} : { message: r.error.message }),
          },
        }),
    ...(r.reset === undefined ? {} : { reset: r.reset }),
    ...(r.corrupt === undefined ? {} : { corrupt: r.corrupt }),
    ...(r.expiredToken === undefined ? {} : { expiredToken: r.expiredToken }),
  };
}
