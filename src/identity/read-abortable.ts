// Reads a small file that an AbortSignal can interrupt at any point, FIFOs included.
// fs.readFile cannot: opening a FIFO with no writer blocks a libuv thread until one comes,
// and its signal is only checked between chunks. Here the file is opened O_NONBLOCK (so a
// FIFO's open does not wait for a writer), a FIFO is read through a pipe handle the event
// loop polls (destroyed on abort), and a regular file is read in chunks with the signal
// checked between them. On abort the promise rejects with the signal's reason at once, and
// the descriptor is closed as soon as no system call is using it any more.
import { close, constants, fstat, open, read, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { abortable } from '../retry/index.js';

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
const CHUNK = 16 * 1024;

export interface ReadAbortableOptions {
  /** Larger contents fail with code EFBIG. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/**
 * Why: the attestation token is read on every exchange, and a cancelled start-up must not
 * wait for (or leave behind) a read of a token path that never delivers.
 * Rejects with the errno-style error of the failing call (`code` ENOENT, EACCES, EISDIR,
 * EFBIG, EFTYPE for a device or socket…), or with the signal's reason once it aborts.
 */
export async function readAbortable(path: string, options: ReadAbortableOptions): Promise<Buffer> {
  const { signal } = options;
  signal?.throwIfAborted();
  const opening = openAsync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const fd = await abortable(opening, signal).catch((error: unknown) => {
    // Aborted while the open was in flight: close what it yields later.
    if (signal?.aborted === true) void opening.then(closeQuietly, () => undefined);
    throw error;
  });
  const statting = fstatAsync(fd);
  let stats: Stats;
  try {
    stats = await abortable(statting, signal);
  } catch (error) {
    // Close only once the fstat is done with the descriptor.
    void statting.then(
      () => closeQuietly(fd),
      () => closeQuietly(fd),
    );
    throw error;
  }
  if (stats.isFIFO()) return readPipe(fd, options);
  if (stats.isFile()) return readRegular(fd, options);
  closeQuietly(fd);
  throw errnoError(stats.isDirectory() ? 'EISDIR' : 'EFTYPE', path);
}

/** A FIFO: the event loop waits for a writer and its data; destroy() closes the fd. */
function readPipe(fd: number, { maxBytes, signal }: ReadAbortableOptions): Promise<Buffer> {
  let pipe: Socket;
  try {
    pipe = new Socket({ fd, readable: true, writable: false });
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      pipe.destroy();
    };
    const fail = (error: Error): void => {
      finish();
      reject(error);
    };
    const onAbort = (): void => fail(signal?.reason as Error);
    pipe.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(errnoError('EFBIG'));
      else chunks.push(chunk);
    });
    pipe.on('end', () => {
      finish();
      resolve(Buffer.concat(chunks));
    });
    pipe.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) onAbort();
  });
}

/** A regular file: chunked reads, the signal checked between them; the fd closed at the end. */
function readRegular(fd: number, { maxBytes, signal }: ReadAbortableOptions): Promise<Buffer> {
  const work = (async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const buffer = Buffer.alloc(CHUNK);
        const { bytesRead } = await readAsync(fd, buffer, 0, CHUNK, null);
        if (bytesRead === 0) return Buffer.concat(chunks);
        size += bytesRead;
        if (size > maxBytes) throw errnoError('EFBIG');
        chunks.push(buffer.subarray(0, bytesRead));
      }
    } finally {
      closeQuietly(fd);
    }
  })();
  return abortable(work, signal);
}

function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}

function errnoError(code: string, path?: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}${path === undefined ? '' : `: ${path}`}`);
  error.code = code;
  return error;
}
