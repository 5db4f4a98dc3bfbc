// The demo's client side and machine probes: a TLS client that sends one PING the way
// redis-cli would, a refusal probe that reports what the client saw, free ports and a PATH
// lookup without a shell.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';

/** What one PING over TLS returned: the answer line, the round trip and the server's cert. */
export interface PingResult {
  readonly answer: string;
  readonly ms: number;
  /** SHA-256 fingerprint of the certificate the server presented ('' for TLS-PSK). */
  readonly serverFingerprint: string;
}

// Why: the demo must show the bytes a real client gets, through the real TLS handshake.
/** Connects to 127.0.0.1, sends `PING`, resolves with the first answer line or rejects. */
export async function ping(options: ConnectionOptions): Promise<PingResult> {
  const started = performance.now();
  const socket = connect({ host: '127.0.0.1', ...options });
  try {
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const serverFingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
    socket.write('PING\r\n');
    let answer = '';
    for await (const chunk of socket) {
      answer += String(chunk);
      if (answer.includes('\n')) break;
    }
    if (!answer.includes('\n')) throw new Error('connection closed without an answer');
    return { answer: answer.trim(), ms: performance.now() - started, serverFingerprint };
  } finally {
    socket.destroy();
  }
}

// Why: a refusal is only worth showing with the reason the client was given.
/** Tries a PING that should fail; resolves with the client's error, or undefined if answered. */
export async function refusal(options: ConnectionOptions): Promise<string | undefined> {
  try {
    await ping(options);
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return error instanceof Error ? error.message : String(error);
  }
}

export { freePort } from './loopback-port.js';

// Why: whether redis-server is installed decides the backend; PATH is what teeinit will use.
/** The full path of an executable found on PATH, or undefined. */
export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `AB:CD:EF:…` shortened to its first `bytes` bytes, enough to compare by eye. */
export function shortFingerprint(fingerprint: string, bytes = 8): string {
  const parts = fingerprint.split(':');
  return parts.length > bytes ? `${parts.slice(0, bytes).join(':')}…` : fingerprint;
}
