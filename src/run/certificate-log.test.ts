// The certificate lines of the start-up log: one info line per bundle, a warning for each
// leaf, intermediate or CA within EXPIRY_WARNING_DAYS, and only names and dates in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChainCertificate, TlsMaterial } from '../keys/index.js';
import { captureLogger } from '../../test/helpers/capture-logger.js';
import { EXPIRY_WARNING_DAYS, logCertificates } from './certificate-log.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const NOW = new Date('2030-01-01T00:00:00.000Z');
const T = { timeout: 5000 };
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

const at = (ms: number): Date => new Date(NOW.getTime() + ms);

function material(chain: ChainCertificate[]): TlsMaterial {
  const leaf = chain[0]!;
  return {
    certPem: 'CERT PEM',
    keyPem: KEY,
    notAfter: leaf.notAfter,
    subject: leaf.subject,
    chain,
  };
}

function run(tls: Record<string, TlsMaterial>): Record<string, unknown>[] {
  const log = captureLogger();
  logCertificates(new Map(Object.entries(tls)), NOW, log.logger);
  assert.ok(!log.text().includes('PRIVATE KEY') && !log.text().includes('MIGHAgEA'));
  return log.records();
}

test('a bundle valid for a year: one info line with time left, no warning', T, () => {
  const records = run({
    server: material([
      { role: 'leaf', subject: 'CN=server, O=alice', notAfter: at(365 * DAY) },
      { role: 'ca', subject: 'CN=alice CA', notAfter: at(3650 * DAY) },
    ]),
  });
  assert.deepEqual(
    records.map((r) => [r.severity, r.message]),
    [['INFO', 'certificate validated']],
  );
  assert.deepEqual(
    { ...records[0], time: undefined },
    {
      severity: 'INFO',
      message: 'certificate validated',
      time: undefined,
      bundle: 'server',
      subject: 'CN=server, O=alice',
      notAfter: '2031-01-01T00:00:00.000Z',
      hoursLeft: 365 * 24,
      daysLeft: 365,
      chainLength: 2,
    },
  );
});

const SOON: { what: string; chain: ChainCertificate[]; role: string; hoursLeft: number }[] = [
  {
    what: 'a leaf valid 2 more days',
    chain: [{ role: 'leaf', subject: 'CN=server', notAfter: at(2 * DAY + 90 * 60 * 1000) }],
    role: 'leaf',
    hoursLeft: 49,
  },
  {
    what: 'an intermediate at exactly the threshold',
    chain: [
      { role: 'leaf', subject: 'CN=server', notAfter: at(300 * DAY) },
      { role: 'intermediate', subject: 'CN=issuing CA', notAfter: at(EXPIRY_WARNING_DAYS * DAY) },
      { role: 'ca', subject: 'CN=root', notAfter: at(900 * DAY) },
    ],
    role: 'intermediate',
    hoursLeft: EXPIRY_WARNING_DAYS * 24,
  },
  {
    what: 'the CA, leaf fine',
    chain: [
      { role: 'leaf', subject: 'CN=server', notAfter: at(30 * DAY) },
      { role: 'ca', subject: 'CN=root', notAfter: at(5 * HOUR) },
    ],
    role: 'ca',
    hoursLeft: 5,
  },
  {
    what: 'a leaf already past notAfter but within the clock skew',
    chain: [{ role: 'leaf', subject: 'CN=server', notAfter: at(-30 * 1000) }],
    role: 'leaf',
    hoursLeft: -1,
  },
];

for (const c of SOON) {
  test(`warns for ${c.what}`, T, () => {
    const records = run({ web: material(c.chain) });
    const warnings = records.filter((r) => r.severity === 'WARNING');
    assert.equal(warnings.length, 1, JSON.stringify(records));
    const cert = c.chain.find((x) => x.role === c.role)!;
    assert.equal(warnings[0]?.message, 'certificate expires soon');
    assert.equal(warnings[0]?.bundle, 'web');
    assert.equal(warnings[0]?.role, c.role);
    assert.equal(warnings[0]?.subject, cert.subject);
    assert.equal(warnings[0]?.notAfter, cert.notAfter.toISOString());
    assert.equal(warnings[0]?.hoursLeft, c.hoursLeft);
    assert.equal(warnings[0]?.warnDays, EXPIRY_WARNING_DAYS);
    assert.match(String(warnings[0]?.hint), /restart/);
  });
}

test('one beyond the threshold by a minute does not warn; each bundle is named', T, () => {
  const records = run({
    a: material([{ role: 'leaf', subject: 'CN=a', notAfter: at(7 * DAY + 60_000) }]),
    b: material([{ role: 'leaf', subject: 'CN=b', notAfter: at(DAY) }]),
  });
  assert.deepEqual(
    records.map((r) => [r.severity, r.message, r.bundle]),
    [
      ['INFO', 'certificate validated', 'a'],
      ['INFO', 'certificate validated', 'b'],
      ['WARNING', 'certificate expires soon', 'b'],
    ],
  );
});
