// A synchronous file read with a size bound, for the small files the commands read (the
// config, an attestation policy, a token, a JWKS, a PEM root). readFileSync has no bound for
// a device or a pipe: `--token /dev/zero` would fill memory until Node aborts. This reads at
// most one byte past the bound and then fails with code EFBIG, as read-abortable.ts does.
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 64 * 1024;

/** Why: one bounded read for every small input file; errno-style errors (`code`). */
export function readFileBoundedSync(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buffer = Buffer.alloc(Math.min(CHUNK, maxBytes + 1 - size));
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return Buffer.concat(chunks, size);
      size += n;
      if (size > maxBytes) {
        throw Object.assign(new Error(`larger than ${maxBytes} bytes`), { code: 'EFBIG' });
      }
      chunks.push(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
