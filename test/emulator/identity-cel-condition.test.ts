// A signed-image policy, as collaborators write it for Confidential Space, enforced by the
// emulator's STS: the attribute condition uses the `exists` macro over
// `image_signatures` and `startsWith` on the image reference. A token that satisfies it is
// exchanged; one whose claims do not (or lack the field) gets `unauthorized_client`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MintOptions } from '../../emulator/attestation/authority.js';
import type { JsonObject } from '../../emulator/attestation/jwt.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { exchangeFields, exchangeForm, startWithProvider } from './sts-fixture.js';

const KEY_ID = 'projects/alice-proj/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1';
const PREFIX = 'us-docker.pkg.dev/alice-proj/';
const CONDITION =
  "assertion.swname == 'CONFIDENTIAL_SPACE'" +
  ` && assertion.submods.container.image_reference.startsWith('${PREFIX}')` +
  ' && assertion.submods.container.image_signatures.exists(sig,' +
  ` sig.signature_algorithm == 'ECDSA_P256_SHA256' && sig.key_id == '${KEY_ID}')`;
const GOOD_SIGNATURE = {
  key_id: KEY_ID,
  signature: 'MEUCIQDsig',
  signature_algorithm: 'ECDSA_P256_SHA256',
};
const OTHER_SIGNATURE = { ...GOOD_SIGNATURE, key_id: `${KEY_ID}0` };
const REJECTED = {
  error: 'unauthorized_client',
  error_description: 'The given credential is rejected by the attribute condition.',
};

let emu: RunningEmulator;
let stop: () => Promise<void>;

function container(fields: JsonObject): MintOptions {
  return { claims: { submods: { container: fields } } };
}

async function exchange(options: MintOptions): Promise<{ status: number; body: JsonObject }> {
  const audience = emu.providerAudience('alice-proj', 'cs-pool', 'signed-images');
  const r = await exchangeForm(
    emu,
    exchangeFields(await emu.attestation.mintToken(options), audience),
  );
  return { status: r.status, body: r.body };
}

describe('identity: attribute condition with CEL macros and functions', () => {
  before(async () => {
    ({ emu, stop } = await startWithProvider('emu-cel-', {
      provider: 'signed-images',
      attributeCondition: CONDITION,
    }));
  });
  after(() => stop());

  test('a signed image from the allowed registry is exchanged', { timeout: 10_000 }, async () => {
    const r = await exchange({
      ...container({ image_signatures: [OTHER_SIGNATURE, GOOD_SIGNATURE] }),
      settings: { imageReference: `${PREFIX}repo/app@sha256:${'a'.repeat(64)}` },
    });
    assert.equal(r.status, 200);
    assert.equal(emu.tokens.resolve(String(r.body.access_token)).status, 'valid');
  });

  const refusals: [string, MintOptions][] = [
    [
      'no signature by the expected key',
      {
        ...container({ image_signatures: [OTHER_SIGNATURE] }),
        settings: { imageReference: `${PREFIX}repo/app@sha256:${'a'.repeat(64)}` },
      },
    ],
    // The default image lives in another project's registry.
    ['an image from another registry', container({ image_signatures: [GOOD_SIGNATURE] })],
    // A missing field is an error in CEL, and an error rejects the credential.
    [
      'no image_signatures claim at all',
      { settings: { imageReference: `${PREFIX}repo/app@sha256:${'a'.repeat(64)}` } },
    ],
  ];
  for (const [name, options] of refusals) {
    test(`rejected: ${name}`, { timeout: 10_000 }, async () => {
      const r = await exchange(options);
      assert.deepEqual(r, { status: 400, body: REJECTED });
    });
  }
});
