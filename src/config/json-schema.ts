// The JSON Schema of the config FILE (what a user writes: durations as "10s", modes as
// "0400"), generated from the zod schema for editors and CI linting of configs.
import { z } from 'zod';
import { configSchema } from './schema.js';
import { attestPolicySchema } from './schema/attest.js';

/**
 * The attestation policy appears under every proxy's `attest.require` and every SNI
 * entry's: one definition (`$defs/AttestPolicy`) referenced from each place.
 */
const shared = z.registry<{ id: string; description: string }>();
shared.add(attestPolicySchema, {
  id: 'AttestPolicy',
  description:
    "What a peer's Confidential Space attestation token must show. See docs/attested-channel.md#policy.",
});

/** The JSON Schema text exactly as committed in schema/teeinit.schema.json. */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', metadata: shared });
  const doc = {
    ...schema,
    $id: 'https://github.com/teeinit/teeinit/schema/teeinit.schema.json',
    title: 'teeinit config',
    description: 'Config file of teeinit (YAML or JSON). See docs/configuration.md.',
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
