// The plan stage: what `run` will do, printable without touching the network.
export { buildPlan } from './build-plan.js';
export { formatPlan } from './format-plan.js';
export type * from './types.js';
