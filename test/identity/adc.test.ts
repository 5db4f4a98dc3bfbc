// `credentials: adc` — Application Default Credentials through the GCE metadata server
// (the emulator's, via GCE_METADATA_HOST), used to read a secret granted to the VM's
// service account. Runs in its own process (node --test), so the env change stays here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createIdentities } from '../../src/identity/index.js';
import { fetchAll } from '../../src/secrets/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { logCapture, secretValue, startWorld, type World } from '../fetch/world.js';

describe('identity: adc via the metadata server', { timeout: 60_000 }, () => {
  let world: World;
  const value = secretValue('adc');
  before(async () => {
    world = await startWorld();
    const sa = world.em.attestation.settings.googleServiceAccounts[0] ?? '';
    world.seed([
      {
        project: 'operator-proj',
        id: 'op',
        versions: [{ data: value }],
        members: [`serviceAccount:${sa}`],
      },
    ]);
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GCE_METADATA_HOST = new URL(world.em.endpoints.metadata).host;
    process.env.HOME = world.dir; // no gcloud user credentials from the machine
  });
  after(() => world.stop());

  test('fetches a secret with the VM service account token', async () => {
    const config = world.config({
      collaborators: { operator: { credentials: 'adc' } },
      secrets: { op: { from: 'operator', ref: 'projects/operator-proj/secrets/op/versions/1' } },
    });
    // Project discovery (gcloud, then the metadata server's project-id: seconds of start-up)
    // is checked where it shows, at the metadata server, rather than only by a 2 s bound on
    // the whole fetch, which a loaded machine nearly reached without it (1.85 s).
    const counted = 1000;
    world.fault({
      id: 'project-id',
      route: 'metadata.get',
      match: 'project-id',
      latencyMs: 0,
      times: counted,
    });
    const asked = (): number =>
      counted - (world.em.faults.list().find((r) => r.id === 'project-id')?.times ?? 0);
    const log = logCapture();
    const started = Date.now();
    const got = await fetchAll(config, createIdentities(config, log.logger), {
      logger: log.logger,
      baseDir: world.dir,
    });
    assert.equal(asked(), 0, 'the metadata server was asked for the project id');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(log.records().filter((r) => r.severity === 'WARNING').length, 0, log.text());
    assert.equal(got.get('op')?.toString(), value);
    assertNoSecrets(log.text(), [value], 'the log');
  });
});
