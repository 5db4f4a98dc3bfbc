// TLS bundle checks, table-driven with fresh certificates from emulator/pki.ts: every
// failure maps to its code, and messages name the bundle and secret but hold no PEM.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { createCa, issueCert, spkiSha256, type IssuedCa, type Pem } from '../../emulator/pki.js';
import type { TlsBundleConfig } from '../config/types.js';
import { TeeinitError, type ErrorCode } from '../errors/index.js';
import { checkTlsBundle, type TlsMaterial, type TlsPems } from './tls-bundle.js';

const DAY = 24 * 3600 * 1000;
const T = { timeout: 10_000 };
const SPEC: TlsBundleConfig = { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' };

/** An intermediate CA signed by `parent` (or a non-CA "intermediate" when ca is false). */
async function intermediate(parent: IssuedCa, cn: string, ca = true): Promise<IssuedCa> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: Date.now().toString(16) + '01',
    subject: `CN=${cn}`,
    issuer: parent.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 100 * DAY),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: parent.signer.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(ca, ca ? 0 : undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(parent.certificate),
    ],
  });
  return {
    name: `CN=${cn}`,
    signer: keys,
    certificate,
    cert: certificate.toString('pem') + '\n',
    key: '',
  };
}

interface Fixture {
  ca: IssuedCa;
  otherCa: IssuedCa;
  good: Pem;
  other: Pem;
  expired: Pem;
  future: Pem;
  clientOnly: Pem;
  noEku: Pem;
  inter: IssuedCa;
  viaInter: Pem;
  notCa: IssuedCa;
  viaNotCa: Pem;
  expiredCa: IssuedCa;
  viaExpiredCa: Pem;
}
let f: Fixture;

before(async () => {
  const ca = await createCa('bundle test CA');
  const otherCa = await createCa('other CA');
  const inter = await intermediate(ca, 'intermediate CA');
  const notCa = await intermediate(ca, 'not a CA', false);
  const expiredCa = await createCa('expired CA', {
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const leaf = (
    issuer: IssuedCa,
    extra: Partial<Parameters<typeof issueCert>[1]> = {},
  ): Promise<Pem> =>
    issueCert(issuer, {
      commonName: 'server',
      dnsNames: ['server.test'],
      ips: ['127.0.0.1'],
      usage: 'server',
      ...extra,
    });
  f = {
    ca,
    otherCa,
    good: await leaf(ca),
    other: await leaf(ca),
    expired: await leaf(ca, {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
    }),
    future: await leaf(ca, {
      notBefore: new Date(Date.now() + DAY),
      notAfter: new Date(Date.now() + 10 * DAY),
    }),
    clientOnly: await leaf(ca, { usage: 'client' }),
    noEku: await leaf(ca, { usage: 'none' }),
    inter,
    viaInter: await leaf(inter),
    notCa,
    viaNotCa: await leaf(notCa),
    expiredCa,
    viaExpiredCa: await leaf(expiredCa),
  };
});

/**
 * Serves `m` with node:tls on 127.0.0.1:0 and connects as a client trusting only its CA PEM
 * (server name server.test); resolves the presented leaf's SPKI pin once verified.
 */
async function presentedSpki(m: TlsMaterial): Promise<string> {
  const server = createServer({ cert: m.certPem, key: m.keyPem }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, servername: 'server.test', ca: m.caPem ?? [] };
      const socket = connect(options, () => {
        const peer = socket.getPeerX509Certificate();
        socket.end();
        if (peer === undefined) reject(new Error('no peer certificate'));
        else resolve(spkiSha256(peer.toString()));
      });
      socket.on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function pems(cert: string, key: string, ca: string): TlsPems {
  return { cert: Buffer.from(cert), key: Buffer.from(key), ca: Buffer.from(ca) };
}

describe('checkTlsBundle rejects', () => {
  const cases: {
    what: string;
    input: () => TlsPems;
    spec?: Partial<TlsBundleConfig>;
    now?: () => Date;
    code: ErrorCode;
    mentions: string[];
  }[] = [
    {
      what: 'a key of another certificate',
      input: () => pems(f.good.cert, f.other.key, f.ca.cert),
      code: 'TEEINIT_CERT_KEY_MISMATCH',
      mentions: ['server-key', 'server-cert'],
    },
    {
      what: 'an expired leaf',
      input: () => pems(f.expired.cert, f.expired.key, f.ca.cert),
      code: 'TEEINIT_CERT_EXPIRED',
      mentions: ['expired', 'server-cert'],
    },
    {
      what: 'a leaf not valid yet',
      input: () => pems(f.future.cert, f.future.key, f.ca.cert),
      code: 'TEEINIT_CERT_EXPIRED',
      mentions: ['not valid yet'],
    },
    {
      what: 'a valid leaf checked at a later time',
      input: () => pems(f.good.cert, f.good.key, f.ca.cert),
      now: () => new Date(Date.now() + 60 * DAY),
      code: 'TEEINIT_CERT_EXPIRED',
      mentions: ['expired'],
    },
    {
      what: 'a leaf of another CA',
      input: () => pems(f.good.cert, f.good.key, f.otherCa.cert),
      code: 'TEEINIT_CERT_CHAIN',
      mentions: ['"ca"', 'not signed'],
    },
    {
      what: 'garbage certificate PEM',
      input: () =>
        pems(
          '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
          f.good.key,
          f.ca.cert,
        ),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['server-cert', 'cannot be parsed'],
    },
    {
      what: 'no certificate at all',
      input: () => pems('hello', f.good.key, f.ca.cert),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['server-cert', 'no PEM certificate'],
    },
    {
      what: 'garbage key PEM',
      input: () =>
        pems(
          f.good.cert,
          '-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n',
          f.ca.cert,
        ),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['server-key'],
    },
    {
      what: 'a certificate in the key secret',
      input: () => pems(f.good.cert, f.good.cert, f.ca.cert),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['server-key', 'no PEM private key'],
    },
    {
      what: 'an encrypted private key',
      input: () =>
        pems(
          f.good.cert,
          createPrivateKey(f.good.key)
            .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
            .toString(),
          f.ca.cert,
        ),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['server-key', 'encrypted'],
    },
    {
      what: 'garbage CA PEM',
      input: () => pems(f.good.cert, f.good.key, 'nope'),
      code: 'TEEINIT_CERT_INVALID',
      mentions: ['"ca"'],
    },
    {
      what: 'a client-only certificate for a server',
      input: () => pems(f.clientOnly.cert, f.clientOnly.key, f.ca.cert),
      code: 'TEEINIT_CERT_USAGE',
      mentions: ['serverAuth'],
    },
    {
      what: 'a server certificate for a client',
      input: () => pems(f.good.cert, f.good.key, f.ca.cert),
      spec: { usage: 'client' },
      code: 'TEEINIT_CERT_USAGE',
      mentions: ['clientAuth'],
    },
    {
      what: 'a leaf whose intermediate is missing',
      input: () => pems(f.viaInter.cert, f.viaInter.key, f.ca.cert),
      code: 'TEEINIT_CERT_CHAIN',
      mentions: ['intermediate CA'],
    },
    {
      what: 'an intermediate without the CA flag',
      input: () => pems(f.viaNotCa.cert + f.notCa.cert, f.viaNotCa.key, f.ca.cert),
      code: 'TEEINIT_CERT_CHAIN',
      mentions: ['not a CA'],
    },
    {
      what: 'an expired CA',
      input: () => pems(f.viaExpiredCa.cert, f.viaExpiredCa.key, f.expiredCa.cert),
      code: 'TEEINIT_CERT_EXPIRED',
      mentions: ['CA certificate'],
    },
  ];
  for (const c of cases) {
    test(c.what, { timeout: 10000 }, () => {
      const input = c.input();
      assert.throws(
        () =>
          checkTlsBundle('server', { ...SPEC, ...c.spec }, input, c.now?.() ?? new Date(), 60_000),
        (e: unknown) => {
          assert.ok(e instanceof TeeinitError, String(e));
          assert.equal(e.code, c.code, e.message);
          assert.ok(e.message.includes('tls.server'), e.message);
          for (const m of c.mentions) assert.ok(e.message.includes(m), `${e.message} lacks ${m}`);
          assert.ok(!e.message.includes('-----BEGIN'), e.message);
          for (const line of [
            ...input.key.toString().split('\n'),
            ...input.cert.toString().split('\n'),
          ]) {
            if (line.length >= 16 && !line.startsWith('-----'))
              assert.ok(!e.message.includes(line));
          }
          return true;
        },
      );
    });
  }
});

describe('checkTlsBundle accepts', () => {
  test('a leaf issued by the CA: its material serves TLS that the CA verifies', T, async () => {
    const m = checkTlsBundle(
      'server',
      SPEC,
      pems(f.good.cert, f.good.key, f.ca.cert),
      new Date(),
      0,
    );
    assert.equal(m.subject, 'CN=server');
    assert.ok(m.notAfter.getTime() > Date.now());
    // The leaf is presented and its key signs the handshake; SAN server.test matches.
    assert.equal(await presentedSpki(m), spkiSha256(f.good.cert));
  });

  test('a chain through an intermediate: the server sends it, the root suffices', T, async () => {
    const m = checkTlsBundle(
      'server',
      SPEC,
      pems(f.viaInter.cert + f.inter.cert, f.viaInter.key, f.ca.cert),
      new Date(),
      0,
    );
    assert.equal(await presentedSpki(m), spkiSha256(f.viaInter.cert));
    // The chain the expiry log reports: leaf, intermediate, then the anchoring root.
    assert.deepEqual(
      m.chain.map((c) => [c.role, c.subject, c.notAfter.toISOString()]),
      [
        ['leaf', 'CN=server', m.notAfter.toISOString()],
        ['intermediate', 'CN=intermediate CA', f.inter.certificate.notAfter.toISOString()],
        ['ca', 'CN=bundle test CA', f.ca.certificate.notAfter.toISOString()],
      ],
    );
  });

  test(
    'a CA bundle with several roots, any usage, and skew covering not-yet-valid',
    { timeout: 10000 },
    () => {
      checkTlsBundle(
        'server',
        { ...SPEC, usage: 'any' },
        pems(f.clientOnly.cert, f.clientOnly.key, f.otherCa.cert + f.ca.cert),
        new Date(),
        0,
      );
      checkTlsBundle(
        'server',
        { ...SPEC, usage: 'client' },
        pems(f.noEku.cert, f.noEku.key, f.ca.cert),
        new Date(),
        0,
      );
      checkTlsBundle(
        'server',
        SPEC,
        pems(f.future.cert, f.future.key, f.ca.cert),
        new Date(),
        2 * DAY,
      );
    },
  );

  test('no CA configured: no chain check', { timeout: 10000 }, () => {
    const { ca: _ca, ...noCa } = SPEC;
    void _ca;
    const m = checkTlsBundle(
      'server',
      noCa,
      { cert: Buffer.from(f.good.cert), key: Buffer.from(f.good.key) },
      new Date(),
      0,
    );
    assert.deepEqual(
      m.chain.map((c) => c.role),
      ['leaf'],
    );
  });
});
