/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- tests mutate untyped config trees the way a user file would */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { assertRefused, baseTree } from './test-fixtures.js';

type Tree = Record<string, any>;
const PROVIDER =
  '//iam.googleapis.com/projects/333/locations/global/workloadIdentityPools/tee-pool/providers/cs-prov';
const mtlsServer = (t: Tree, extra: Tree = {}): void => {
  t.proxies.push({
    name: 'm',
    mode: 'mtls-server',
    listen: '0.0.0.0:8443',
    target: '127.0.0.1:9000',
    tls: 'server',
    authorize: { commonNames: ['c'] },
    ...extra,
  });
};

// [rule, mutate, code, message fragment, values of the file the message must not show]
const cases: [string, (t: Tree) => void, ErrorCode, string, string[]?][] = [
  // names
  [
    'duplicate process names',
    (t) => t.processes.push({ name: 'app', run: ['x'] }),
    'TEEINIT_CONFIG_INVALID',
    'processes[1].name: duplicate name, the same as processes[0].name',
    ['"app"'],
  ],
  [
    'duplicate proxy names',
    (t) => t.proxies.push({ ...t.proxies[0] }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].name: duplicate name, the same as proxies[0].name',
    ['ingress'],
  ],
  [
    'secret and key share a name',
    (t) => (t.keys.ca = { shares: ['alice-share', 'bob-share'] }),
    'TEEINIT_CONFIG_INVALID',
    'keys.ca: the name is already used by secrets.ca',
  ],
  [
    'template and secret share a name',
    (t) => (t.templates = { ca: { content: 'x' } }),
    'TEEINIT_CONFIG_INVALID',
    'templates.ca: the name is already used by secrets.ca',
  ],
  [
    'nothing to run',
    (t) => {
      t.processes = [];
      t.proxies = [];
    },
    'TEEINIT_CONFIG_INVALID',
    'processes: expected at least one process',
  ],
  // collaborators
  [
    'missing provider',
    (t) => delete t.collaborators.bob.provider,
    'TEEINIT_CONFIG_INVALID',
    'collaborators.bob.provider: required with credentials workload-identity',
  ],
  [
    'malformed provider',
    (t) =>
      (t.collaborators.bob.provider =
        '//iam.googleapis.com/projects/abc/locations/global/workloadIdentityPools/p/providers/x'),
    'TEEINIT_CONFIG_INVALID',
    'collaborators.bob.provider: expected //iam.googleapis.com/projects/NUMBER',
  ],
  [
    'pool id shorter than Google allows',
    (t) =>
      (t.collaborators.bob.provider =
        '//iam.googleapis.com/projects/222/locations/global/workloadIdentityPools/tee/providers/cs-prov'),
    'TEEINIT_CONFIG_INVALID',
    'collaborators.bob.provider: expected //iam.googleapis.com/projects/NUMBER',
  ],
  [
    'provider with adc',
    (t) => (t.collaborators.bob.credentials = 'adc'),
    'TEEINIT_CONFIG_INVALID',
    'collaborators.bob.provider: only used with credentials workload-identity',
  ],
  [
    'bad service account',
    (t) => (t.collaborators.bob.serviceAccount = 'not an email'),
    'TEEINIT_CONFIG_INVALID',
    'collaborators.bob.serviceAccount',
  ],
  // secrets
  [
    'secret from unknown collaborator',
    (t) => (t.secrets.ca.from = 'carol'),
    'TEEINIT_CONFIG_REFERENCE',
    'secrets.ca.from: names a collaborator that is not declared (declared: alice, bob)',
    ['carol'],
  ],
  [
    'malformed ref',
    (t) => (t.secrets.ca.ref = 'projects/alice-proj/secrets/ca'),
    'TEEINIT_CONFIG_INVALID',
    'secrets.ca.ref: expected projects/P/secrets/S/versions/V',
  ],
  [
    'ref and path',
    (t) => (t.secrets.ca.path = '/x'),
    'TEEINIT_CONFIG_INVALID',
    'secrets.ca.ref: only used with source gcp-secret-manager',
  ],
  [
    'file source with ref',
    (t) => (t.secrets.ca.source = 'file'),
    'TEEINIT_CONFIG_INVALID',
    'secrets.ca.ref: only used with source gcp-secret-manager',
  ],
  [
    'credentials none fetching from Secret Manager',
    (t) => ((t.collaborators.carol = { credentials: 'none' }), (t.secrets.ca.from = 'carol')),
    'TEEINIT_CONFIG_INVALID',
    'secrets.ca.from: collaborators.carol has credentials none',
  ],
  // keys
  [
    'one share',
    (t) => (t.keys['session-psk'].shares = ['alice-share']),
    'TEEINIT_CONFIG_INVALID',
    'keys.session-psk.shares: expected at least 2 shares',
  ],
  [
    'unknown share',
    (t) => (t.keys['session-psk'].shares = ['alice-share', 'carol-share']),
    'TEEINIT_CONFIG_REFERENCE',
    'keys.session-psk.shares[1]: names a secret that is not declared',
    ['carol'],
  ],
  [
    'shares from one collaborator',
    (t) => (t.keys['session-psk'].shares = ['alice-share', 'ca']),
    'TEEINIT_CONFIG_INVALID',
    'keys.session-psk.shares[1]: secrets.alice-share and secrets.ca both come from collaborators.alice',
  ],
  // tls
  [
    'tls names unknown secret',
    (t) => (t.tls.server.ca = 'other-ca'),
    'TEEINIT_CONFIG_REFERENCE',
    'tls.server.ca: names a secret that is not declared',
    ['other-ca'],
  ],
  [
    'tls uses a share',
    (t) => (t.tls.server.key = 'bob-share'),
    'TEEINIT_CONFIG_INVALID',
    'tls.server.key: secrets.bob-share is a key share',
  ],
  // files
  [
    'file entry for unknown name',
    (t) => (t.files.entries.nope = {}),
    'TEEINIT_CONFIG_REFERENCE',
    'files.entries.nope: names a secret, key or template that is not declared',
  ],
  [
    'file entry for a share',
    (t) => (t.files.entries['bob-share'] = {}),
    'TEEINIT_CONFIG_INVALID',
    'shares are never written',
  ],
  [
    'hex for a secret',
    (t) => (t.files.entries.ca = { encoding: 'hex' }),
    'TEEINIT_CONFIG_INVALID',
    'files.entries.ca.encoding: hex is only for derived keys',
  ],
  [
    'two entries, one file',
    (t) => (t.files.entries.ca = { name: 'server.key' }),
    'TEEINIT_CONFIG_INVALID',
    'files.entries.ca.name: the same file name as files.entries.server-key',
    ['server.key'],
  ],
  [
    'auto entry collides',
    (t) => (t.files.entries.ca = { name: 'server-cert' }),
    'TEEINIT_CONFIG_INVALID',
    'files.entries.server-cert.name: the same file name as files.entries.ca',
  ],
  [
    'auto entry collides, and a later rule fails too: the later rule is reported (completion runs last)',
    (t) => {
      t.files.entries.ca = { name: 'server-cert' };
      t.proxies[0].psk = 'nope';
    },
    'TEEINIT_CONFIG_REFERENCE',
    'proxies[0].identities.Client1: names a key that is not declared',
    ['nope'],
  ],
  [
    'files.dir is /',
    (t) => (t.files.dir = '/'),
    'TEEINIT_CONFIG_INVALID',
    'files.dir: expected a dedicated absolute directory',
  ],
  // templates
  [
    'template names unknown secret',
    (t) => t.processes[0].run.push('{{ file nope }}'),
    'TEEINIT_CONFIG_REFERENCE',
    'processes[0].run[5]: names a secret, key or template that is not declared',
    ['nope'],
  ],
  [
    'unknown directive',
    (t) => t.processes[0].run.push('{{ secret ca }}'),
    'TEEINIT_TEMPLATE_INVALID',
    'processes[0].run[5]: template has an unknown directive',
  ],
  [
    'unclosed directive',
    (t) => (t.processes[0].env = { A: '{{ file ca' }),
    'TEEINIT_TEMPLATE_INVALID',
    'processes[0].env.A: template has an unclosed',
  ],
  [
    'value without allowValue',
    (t) => (t.processes[0].env = { K: '{{ value ca }}' }),
    'TEEINIT_TEMPLATE_INVALID',
    'processes[0].env.K: {{ value }} of secrets.ca needs `allowValue: true` on processes[0]',
    ['"app"'],
  ],
  [
    'value of a template',
    (t) => {
      t.templates = { conf: { content: 'x' } };
      t.processes[0].allowValue = true;
      t.processes[0].env = { K: '{{ value conf }}' };
    },
    'TEEINIT_CONFIG_REFERENCE',
    'processes[0].env.K: names a secret or key that is not declared',
  ],
  [
    'value in template without allowValue',
    (t) => (t.templates = { conf: { content: 'k={{ value ca }}' } }),
    'TEEINIT_TEMPLATE_INVALID',
    'templates.conf.content: {{ value }} of secrets.ca needs `allowValue: true` on templates.conf',
  ],
  [
    'env not allow-listed',
    (t) => t.processes[0].run.push('{{ env PORT }}'),
    'TEEINIT_TEMPLATE_INVALID',
    'processes[0].run[5]: an {{ env }} reference names a variable that is not listed in overrides.env',
    ['PORT'],
  ],
  [
    'share in a template',
    (t) => t.processes[0].run.push('{{ file alice-share }}'),
    'TEEINIT_CONFIG_INVALID',
    'processes[0].run[5]: secrets.alice-share is a key share',
  ],
  [
    'template with source and content',
    (t) => (t.templates = { conf: { content: 'x', source: '/x' } }),
    'TEEINIT_CONFIG_INVALID',
    'templates.conf: expected exactly one of `source` or `content`',
  ],
  [
    'template source missing',
    (t) => (t.templates = { conf: { source: '/nonexistent/teeinit.tmpl' } }),
    'TEEINIT_TEMPLATE_INVALID',
    'templates.conf.source: cannot read the template file (ENOENT)',
    ['/nonexistent'],
  ],
  [
    'template refers to itself',
    (t) => (t.templates = { conf: { content: '{{ file conf }}' } }),
    'TEEINIT_CONFIG_INVALID',
    'templates.conf.content: a template cannot refer to its own file',
  ],
  // proxies
  [
    'mtls without tls',
    (t) => mtlsServer(t, { tls: undefined }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].tls: required with mtls modes',
  ],
  [
    'mtls unknown bundle',
    (t) => mtlsServer(t, { tls: 'nope' }),
    'TEEINIT_CONFIG_REFERENCE',
    'proxies[1].tls: names a tls bundle that is not declared (declared: server)',
    ['nope'],
  ],
  [
    'mtls-server without authorize',
    (t) => mtlsServer(t, { authorize: {} }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].authorize: expected at least one rule',
  ],
  [
    'mtls-server bundle without ca',
    (t) => {
      delete t.tls.server.ca;
      mtlsServer(t);
    },
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].tls: tls.server needs a ca (or set sniCa)',
  ],
  [
    'sniCa shorthand (one global authorize for every CA)',
    (t) => mtlsServer(t, { sniCa: { 'alice.example': 'ca' } }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].sniCa["alice.example"]: expected { ca: SECRET, authorize: { ...rules } }',
  ],
  [
    'sniCa entry without rules',
    (t) => mtlsServer(t, { sniCa: { 'alice.example': { ca: 'ca' } } }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].sniCa["alice.example"].authorize: expected at least one rule',
  ],
  [
    'sniCa entry with allowAll and rules',
    (t) =>
      mtlsServer(t, {
        sniCa: { 'a.example': { ca: 'ca', authorize: { allowAll: true, commonNames: ['x'] } } },
      }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].sniCa["a.example"].authorize.allowAll: allowAll: true cannot be combined',
  ],
  [
    'sniCa entry with an unknown CA secret',
    (t) => mtlsServer(t, { sniCa: { 'a.example': { ca: 'nope', authorize: { allowAll: true } } } }),
    'TEEINIT_CONFIG_REFERENCE',
    'proxies[1].sniCa["a.example"].ca: names a secret that is not declared',
  ],
  [
    'sniCa names differing only in case',
    (t) =>
      mtlsServer(t, {
        sniCa: {
          'a.example': { ca: 'ca', authorize: { allowAll: true } },
          'A.example': { ca: 'ca', authorize: { allowAll: true } },
        },
      }),
    'TEEINIT_CONFIG_INVALID',
    'the same name as proxies[1].sniCa["a.example"] (SNI names are case-insensitive)',
  ],
  [
    'sniCa name with a wildcard',
    (t) => mtlsServer(t, { sniCa: { '*.example': { ca: 'ca', authorize: { allowAll: true } } } }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].sniCa["*.example"]: expected a DNS name',
  ],
  [
    'global authorize that no CA applies to',
    (t) => {
      delete t.tls.server.ca;
      mtlsServer(t, { sniCa: { 'a.example': { ca: 'ca', authorize: { allowAll: true } } } });
    },
    'TEEINIT_CONFIG_INVALID',
    'proxies[1].authorize: applies only to clients verified by the ca of tls.server',
  ],
  [
    'sniCa on psk-server',
    (t) => (t.proxies[0].sniCa = { 'a.example': { ca: 'ca', authorize: { allowAll: true } } }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].sniCa: only used with mode mtls-server',
  ],
  [
    'maxHandshakesPerSource 0',
    (t) => (t.proxies[0].limits = { maxHandshakesPerSource: 0 }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].limits.maxHandshakesPerSource: expected a number >= 1',
  ],
  [
    'psk without identities',
    (t) => {
      delete t.proxies[0].psk;
      delete t.proxies[0].identity;
    },
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].identities: required with psk modes (or psk + identity)',
  ],
  [
    'psk-client with two identities',
    (t) => {
      delete t.proxies[0].psk;
      delete t.proxies[0].identity;
      Object.assign(t.proxies[0], {
        mode: 'psk-client',
        listen: '127.0.0.1:1',
        target: 'example.com:443',
        identities: { A: 'session-psk', B: 'session-psk' },
      });
    },
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].identities: psk-client needs exactly one identity',
  ],
  [
    'psk unknown key',
    (t) => (t.proxies[0].psk = 'nope'),
    'TEEINIT_CONFIG_REFERENCE',
    'proxies[0].identities.Client1: names a key that is not declared (declared: session-psk)',
    ['nope'],
  ],
  [
    'psk with tls',
    (t) => (t.proxies[0].tls = 'server'),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].tls: only used with mtls modes',
  ],
  [
    'bad listen address',
    (t) => (t.proxies[0].listen = '0.0.0.0'),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].listen: expected "host:port"',
  ],
  [
    'port out of range',
    (t) => (t.proxies[0].listen = '0.0.0.0:70000'),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].listen: expected "host:port"',
  ],
  [
    'server target not loopback',
    (t) => (t.proxies[0].target = '10.0.0.5:8080'),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].target: the plaintext side must be loopback',
  ],
  [
    'client listen not loopback',
    (t) =>
      Object.assign(t.proxies[0], {
        mode: 'psk-client',
        listen: '0.0.0.0:1',
        target: 'example.com:443',
      }),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].listen: the plaintext side must be loopback',
  ],
  [
    'status not loopback',
    (t) => (t.proxies[0].status = '0.0.0.0:9999'),
    'TEEINIT_CONFIG_INVALID',
    'proxies[0].status: the status endpoint must listen on loopback',
  ],
  [
    'one PSK for TLS 1.2 and 1.3',
    (t) =>
      t.proxies.push({
        ...t.proxies[0],
        name: 'legacy',
        listen: '0.0.0.0:8082',
        tlsVersion: '1.2',
      }),
    'TEEINIT_CONFIG_INVALID',
    'never use one PSK with both TLS 1.2 and 1.3',
  ],
  // processes, runtime
  [
    'two readiness checks',
    (t) => (t.processes[0].ready.file = '/run/ready'),
    'TEEINIT_CONFIG_INVALID',
    'processes[0].ready: expected exactly one of tcp, file or command',
  ],
  [
    'backoff above maxBackoff',
    (t) => (t.processes[0].restart = { backoff: '1m', maxBackoff: '10s' }),
    'TEEINIT_CONFIG_INVALID',
    'processes[0].restart.backoff: expected at most restart.maxBackoff',
  ],
  [
    'fetch backoff above max',
    (t) => (t.fetch = { initialBackoff: '10s', maxBackoff: '1s' }),
    'TEEINIT_CONFIG_INVALID',
    'fetch.initialBackoff',
  ],
  [
    'plain http endpoint',
    (t) => (t.endpoints = { sts: 'http://sts.example.com' }),
    'TEEINIT_CONFIG_INVALID',
    'endpoints.sts: expected https://',
  ],
  [
    'bad override pattern',
    (t) => (t.overrides = { env: { X: { pattern: '(' } } }),
    'TEEINIT_CONFIG_INVALID',
    'overrides.env.X.pattern: expected a valid regular expression',
  ],
  [
    'override default not matching',
    (t) => (t.overrides = { env: { X: { pattern: '[0-9]+', default: 'abc' } } }),
    'TEEINIT_CONFIG_INVALID',
    'overrides.env.X.default: expected a default that matches',
  ],
];

describe('config cross-field rules', { timeout: 10_000 }, () => {
  test('the base fixture is valid', () => {
    const { warnings, config } = loadConfigTree(baseTree());
    assert.deepEqual(warnings, []);
    // {{ file X }} targets get a file entry with defaults.
    assert.deepEqual(config.files.entries['server-cert'], {
      name: 'server-cert',
      mode: 0o400,
      encoding: 'raw',
    });
  });
  for (const [what, mutate, code, fragment, absent = []] of cases) {
    test(`rejects: ${what}`, () => {
      const t = baseTree();
      mutate(t);
      const e = assertRefused(t, code, fragment);
      const shown = e.message + JSON.stringify(e.fields);
      for (const value of absent) assert.ok(!shown.includes(value), `${shown}\n  shows: ${value}`);
    });
  }

  // [what, mutate, warning fragment]
  const accepted: [string, (t: Tree) => void, string | undefined][] = [
    [
      'latest is a warning',
      (t) => (t.secrets.ca.ref = 'projects/alice-proj/secrets/ca/versions/latest'),
      'version "latest" is not pinned',
    ],
    [
      'regional ref and alias',
      (t) => (t.secrets.ca.ref = 'projects/123/locations/us-east1/secrets/ca/versions/prod'),
      undefined,
    ],
    [
      'value with allowValue warns',
      (t) => {
        t.processes[0].allowValue = true;
        t.processes[0].env = { K: '{{ value ca }}' };
      },
      'receives secret values in argv/env',
    ],
    [
      'unsafeNonLoopback warns',
      (t) => Object.assign(t.proxies[0], { target: '10.0.0.5:8080', unsafeNonLoopback: true }),
      'plaintext side is not loopback',
    ],
    [
      'mtls-server with allowAll',
      (t) => mtlsServer(t, { authorize: { allowAll: true } }),
      undefined,
    ],
    [
      'mtls-server with sniCa entries only (bundle without ca)',
      (t) => {
        delete t.tls.server.ca;
        mtlsServer(t, {
          authorize: {},
          sniCa: {
            'alice.example': { ca: 'ca', authorize: { uris: ['spiffe://alice.test/**'] } },
            'bob.example': { ca: 'bob-share', authorize: { commonNames: ['bob'] } },
          },
        });
      },
      undefined,
    ],
    [
      'unix target, v6 listen',
      (t) => Object.assign(t.proxies[0], { listen: '[::]:8081', target: 'unix:/run/app.sock' }),
      undefined,
    ],
    [
      'adc collaborator',
      (t) =>
        (t.collaborators.carol = {
          credentials: 'adc',
          serviceAccount: 'sa@p.iam.gserviceaccount.com',
        }),
      undefined,
    ],
    ['third collaborator', (t) => (t.collaborators.carol = { provider: PROVIDER }), undefined],
    [
      'http endpoint on loopback',
      (t) => (t.endpoints = { sts: 'http://127.0.0.1:8080' }),
      undefined,
    ],
    [
      'template file reference',
      (t) => {
        t.templates = { conf: { content: 'cert {{ file server-cert }}' } };
        t.processes[0].run.push('{{ file conf }}');
      },
      undefined,
    ],
  ];
  for (const [what, mutate, fragment] of accepted) {
    test(`accepts: ${what}`, () => {
      const t = baseTree();
      mutate(t);
      const { warnings } = loadConfigTree(t);
      if (fragment === undefined) assert.deepEqual(warnings, []);
      else
        assert.ok(
          warnings.some((w) => w.includes(fragment)),
          warnings.join('\n'),
        );
    });
  }
});
