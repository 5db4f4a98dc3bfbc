import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createCa, issueCert } from './pki.js';

test('issued leaf chains to its CA and matches its key', { timeout: 10_000 }, async () => {
  const ca = await createCa();
  const leaf = await issueCert(ca, {
    commonName: 'server',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
  });
  const cert = new X509Certificate(leaf.cert);
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.key)));
  assert.ok(cert.checkHost('localhost'));
  assert.ok(cert.checkIP('127.0.0.1'));
  assert.ok(new X509Certificate(ca.cert).ca);
});
