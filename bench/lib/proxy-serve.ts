// Bench helper (not a test): runs one teeinit proxy in its own process, as in production.
// Reads {config, material} JSON on stdin (keys hex, PEMs as text), prints "ADDRESS <addr>".
// Under `node --expose-gc`, SIGUSR2 runs a full GC and prints "GC" (proxy-rss.ts).
import { startProxy, type ProxyMaterial } from '../../src/proxy/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { ProxyConfig } from '../../src/config/types.js';
import { onGcRequest } from './gc-request.js';

interface Input {
  config: ProxyConfig;
  tls: Record<string, { certPem: string; keyPem: string; caPem?: string }>;
  keys: Record<string, string>;
}

let raw = '';
process.stdin.setEncoding('utf8').on('data', (d: string) => (raw += d));
process.stdin.on('end', () => {
  const input = JSON.parse(raw) as Input;
  const material: ProxyMaterial = {
    tls: new Map(Object.entries(input.tls)),
    keys: new Map(Object.entries(input.keys).map(([k, v]) => [k, Buffer.from(v, 'hex')])),
    secrets: new Map(),
  };
  startProxy(input.config, material, silentLogger()).then(
    (proxy) => {
      onGcRequest(); // before the address: the bench may signal as soon as it reads it
      process.stdout.write(`ADDRESS ${proxy.address}\n`);
      process.on('SIGTERM', () => void proxy.close(100).then(() => process.exit(0)));
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
});
