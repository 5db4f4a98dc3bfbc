import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { GOOGLE_ROOT_PEM, GOOGLE_ROOT_SHA256 } from './google-root.js';

test("Google's Confidential Space root: its fingerprint, self-signed CA, subject and validity", () => {
  const cert = new X509Certificate(GOOGLE_ROOT_PEM);
  assert.equal(createHash('sha256').update(cert.raw).digest('hex'), GOOGLE_ROOT_SHA256);
  assert.ok(cert.ca);
  assert.ok(cert.checkIssued(cert) && cert.verify(cert.publicKey));
  assert.match(cert.subject, /CN=Confidential Space Root CA/);
  assert.match(cert.subject, /O=Google LLC/);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
  assert.equal(new Date(cert.validTo).toISOString(), '2034-01-16T22:10:49.000Z');
});
