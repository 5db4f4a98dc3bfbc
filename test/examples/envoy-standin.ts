// Envoy is not installable in the test environment. The envoy example tests keep the shipped
// config (and its envoy bootstrap template, rendered by teeinit) and swap only the envoy
// process for a stand-in (nginx or haproxy) that uses the same files; these helpers do the
// swap, check the rendered envoy bootstrap and curl through the stand-in.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCommand, type CommandResult } from '../helpers/command.js';
import { examplePath, processNamed, writeTemplate, type ExampleTree } from './example-config.js';
import type { TestPki } from './world.js';

/** The process that replaces envoy, and its config file. */
export interface StandIn {
  readonly name: string;
  /** argv; names its config as `{{ file <config.key> }}`. */
  readonly run: string[];
  /**
   * A template shipped beside the example (`template`), with the test's ports and
   * `replacements` filled in, rendered by teeinit into the tmpfs as `file` (0400).
   */
  readonly config: {
    readonly key: string;
    readonly template: string;
    readonly file: string;
    readonly replacements?: Readonly<Record<string, string>>;
  };
}

/**
 * Replaces the shipped `envoy` process by `standIn` (with envoy's ready probe), after checking
 * the shipped one runs envoy on the rendered bootstrap as the envoy user. File owners are
 * dropped: the stand-in runs as root and this host has no envoy user.
 */
export function swapEnvoyForStandIn(
  tree: ExampleTree,
  example: string,
  ports: Readonly<Record<string, string>>,
  scratchDir: string,
  standIn: StandIn,
): void {
  const envoy = processNamed(tree, 'envoy');
  assert.deepEqual(envoy.run.slice(0, 3), ['envoy', '-c', '{{ file envoy-config }}']);
  assert.equal(envoy.user, 'envoy');
  const templates = (tree.templates ??= {});
  const shipped = templates['envoy-config'];
  assert.equal(shipped?.source, '/etc/teeinit/envoy.yaml.tmpl');
  // The same template the image ships, with the test's ports.
  shipped.source = writeTemplate(
    examplePath(example, 'envoy.yaml.tmpl'),
    scratchDir,
    'envoy.yaml.tmpl',
    ports,
  );
  const { key, template, file, replacements } = standIn.config;
  templates[key] = {
    source: writeTemplate(examplePath(example, template), scratchDir, `${file}.tmpl`, {
      ...ports,
      ...replacements,
    }),
    allowValue: false,
  };
  const entries = (tree.files.entries ??= {});
  entries[key] = { name: file, mode: '0400' };
  for (const entry of Object.values(entries)) delete entry.owner;
  const replacement = {
    name: standIn.name,
    run: standIn.run,
    ...(envoy.ready === undefined ? {} : { ready: envoy.ready }),
  };
  tree.processes = tree.processes.map((p) => (p.name === 'envoy' ? replacement : p));
}

/** curl https://127.0.0.1:port/ trusting the test CA, with or without the client certificate. */
export function curlThrough(pki: TestPki, port: number, withCert: boolean): Promise<CommandResult> {
  return runCommand([
    'curl',
    '-sS',
    '--max-time',
    '10',
    '--cacert',
    pki.clientFiles.ca,
    ...(withCert ? ['--cert', pki.clientFiles.cert, '--key', pki.clientFiles.key] : []),
    `https://127.0.0.1:${port}/`,
  ]);
}

/** What the rendered envoy bootstrap must say. */
export interface EnvoyExpectations {
  readonly path: string;
  readonly secretsDir: string;
  readonly listenPort: number;
  readonly upstreamPort: number;
  readonly filter: string;
}

interface Listener {
  address: { socket_address: { port_value: number } };
  filter_chains: {
    transport_socket: {
      typed_config: {
        require_client_certificate: boolean;
        common_tls_context: {
          tls_certificates: {
            certificate_chain: { filename: string };
            private_key: { filename: string };
          }[];
          validation_context: { trusted_ca: { filename: string } };
        };
      };
    };
    filters: { name: string }[];
  }[];
}

interface Bootstrap {
  admin?: unknown;
  static_resources: {
    listeners: Listener[];
    clusters: {
      load_assignment: {
        endpoints: {
          lb_endpoints: { endpoint: { address: { socket_address: { port_value: number } } } }[];
        }[];
      };
    }[];
  };
}

/** Parses the bootstrap teeinit rendered and checks listener, mTLS and file paths. */
export function checkRenderedEnvoy(e: EnvoyExpectations): void {
  const doc = parse(readFileSync(e.path, 'utf8')) as Bootstrap;
  assert.equal(doc.admin, undefined, 'no admin listener');
  const listener = doc.static_resources.listeners[0]!;
  assert.equal(listener.address.socket_address.port_value, e.listenPort);
  const chain = listener.filter_chains[0]!;
  const tls = chain.transport_socket.typed_config;
  assert.equal(tls.require_client_certificate, true);
  const cert = tls.common_tls_context.tls_certificates[0]!;
  const files = {
    cert: cert.certificate_chain.filename,
    key: cert.private_key.filename,
    ca: tls.common_tls_context.validation_context.trusted_ca.filename,
  };
  assert.deepEqual(files, {
    cert: join(e.secretsDir, 'server.crt'),
    key: join(e.secretsDir, 'server.key'),
    ca: join(e.secretsDir, 'ca.crt'),
  });
  for (const f of Object.values(files)) assert.ok(existsSync(f), `${f} materialized`);
  assert.equal(chain.filters[0]?.name, e.filter);
  const upstream =
    doc.static_resources.clusters[0]!.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint;
  assert.equal(upstream.address.socket_address.port_value, e.upstreamPort);
}
