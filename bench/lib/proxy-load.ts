// Bench helper (not a test): a load client in its own process.
//   bulk <port> <MB> <tls-json>        : send MB through a TLS connection, print seconds
//   pingpong <port> <conns> <total> <tls-json> : request/response of 32 bytes, print rps p50 p99
import { connect, type ConnectionOptions } from 'node:tls';

const [mode, portArg, a, b, c] = process.argv.slice(2);
const port = Number(portArg);

function options(json: string): ConnectionOptions {
  const o = JSON.parse(json) as {
    psk?: string;
    identity?: string;
    ca?: string;
    cert?: string;
    key?: string;
  };
  if (o.psk !== undefined) {
    const psk = Buffer.from(o.psk, 'hex');
    const identity = o.identity ?? 'Client1';
    return {
      pskCallback: () => ({ psk, identity }),
      ciphers: 'TLS_AES_128_GCM_SHA256',
      minVersion: 'TLSv1.3',
      checkServerIdentity: () => undefined,
    };
  }
  return { ca: o.ca, cert: o.cert, key: o.key, servername: 'localhost' };
}

function open(opts: ConnectionOptions): Promise<ReturnType<typeof connect>> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ...opts }, () => resolve(s));
    s.setNoDelay(true);
    s.on('error', reject);
  });
}

async function bulk(mb: number, opts: ConnectionOptions): Promise<void> {
  const s = await open(opts);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const total = mb * 1024 * 1024;
  let received = 0;
  const started = process.hrtime.bigint();
  const done = new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= total) resolve();
    });
  });
  let sent = 0;
  while (sent < total) {
    sent += chunk.length;
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  s.destroy();
  process.stdout.write(JSON.stringify({ seconds, mbps: mb / seconds }) + '\n');
}

async function pingpong(conns: number, total: number, opts: ConnectionOptions): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: conns }, () => open(opts)));
  const lat: number[] = [];
  let issued = 0;
  const msg = Buffer.alloc(32, 0x62);
  const started = process.hrtime.bigint();
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          let t0 = 0n;
          let got = 0;
          const next = (): void => {
            if (issued >= total) return resolve();
            issued += 1;
            got = 0;
            t0 = process.hrtime.bigint();
            s.write(msg);
          };
          s.on('data', (d: Buffer) => {
            got += d.length;
            if (got >= msg.length) {
              lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
              next();
            }
          });
          next();
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const s of sockets) s.destroy();
  lat.sort((x, y) => x - y);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  process.stdout.write(
    JSON.stringify({ rps: lat.length / seconds, p50: q(0.5), p99: q(0.99) }) + '\n',
  );
}

if (mode === 'bulk') await bulk(Number(a), options(b ?? '{}'));
else if (mode === 'pingpong') await pingpong(Number(a), Number(b), options(c ?? '{}'));
else throw new Error('usage: proxy-load bulk|pingpong …');
