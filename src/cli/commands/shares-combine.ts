// `teeinit shares combine`: checks that share files recombine consistently (same split,
// distinct x, every one of them on the secret the key id names) and prints the key id and
// t of n. The recovered secret, or the PSK teeinit derives from it, goes to a new 0600 file
// for a client; to stdout only with --print-secret.
import { hkdfSync } from 'node:crypto';
import { TeeinitError } from '../../errors/index.js';
import { parseShareText, recoverSecret, type HeldShare } from '../../keys/index.js';
import type { CliIo } from '../io.js';
import type { CombineArgs } from '../parse-shares-line.js';
import { readInput, writeNewFile } from './share-files.js';

/** Resolves to 0 when every file given is a consistent share; throws otherwise. */
export async function sharesCombineCommand(args: CombineArgs, io: CliIo): Promise<number> {
  const held: HeldShare[] = [];
  try {
    for (const file of args.files) {
      const raw = readInput(file, 'share file');
      try {
        held.push({
          secret: file,
          collaborator: '',
          share: parseShareText(raw, `Share file "${file}"`),
        });
      } finally {
        raw.fill(0);
      }
    }
    const first = held[0]?.share;
    if (first === undefined) throw new TeeinitError('TEEINIT_USAGE', 'No share file given.');
    const other = held.find(
      (h) => h.share.threshold !== first.threshold || h.share.total !== first.total,
    );
    if (other !== undefined) {
      throw new TeeinitError(
        'TEEINIT_SHARES_INCONSISTENT',
        `Share file "${other.secret}" was split for any ${other.share.threshold} of ${other.share.total} shares, but "${args.files[0] ?? ''}" for any ${first.threshold} of ${first.total}: they come from different splits.`,
        { fields: { file: other.secret } },
      );
    }
    const t = first.threshold;
    const n = first.total;
    if (held.length < t) {
      throw new TeeinitError(
        'TEEINIT_THRESHOLD_NOT_MET',
        `${held.length} share file${held.length === 1 ? '' : 's'} given; any ${t} of the ${n} shares of this split are needed.`,
        { fields: { threshold: t, shares: n, given: held.length } },
      );
    }
    const result = await recoverSecret(t, held);
    const refused = result.rejected.map((r) => r.error.message.replace(/\.$/, ''));
    if (!result.ok || refused.length > 0) {
      if (result.ok) result.secret.fill(0);
      const head = result.ok
        ? `${result.used.length} of the ${held.length} share files recombine (key id ${result.keyId}), the others do not`
        : `The share files do not recombine: ${result.problem}`;
      throw new TeeinitError(
        'TEEINIT_SHARES_INCONSISTENT',
        `${head}.${refused.length === 0 ? '' : ` ${refused.join('; ')}.`}`,
        { fields: { files: result.rejected.map((r) => r.held.secret).join(',') } },
      );
    }
    try {
      if (args.writeSecret !== undefined) {
        writeNewFile(args.writeSecret, result.secret, 'secret file');
      }
      if (args.writePsk !== undefined) {
        const { path, salt, info, length } = args.writePsk;
        const psk = Buffer.from(
          hkdfSync(
            'sha256',
            result.secret,
            Buffer.from(salt, 'utf8'),
            Buffer.from(info, 'utf8'),
            length,
          ),
        );
        try {
          writeNewFile(path, psk, 'PSK file');
        } finally {
          psk.fill(0);
        }
      }
      const lines = [
        `shares consistent: ${held.length} given, any ${t} of the ${n} written recover the secret`,
        `key id: ${result.keyId}`,
        `secret: ${result.secret.length} bytes` +
          (args.writeSecret === undefined ? '' : `, written to ${args.writeSecret} (mode 0600)`),
        ...(args.writePsk === undefined
          ? []
          : [
              `psk: HKDF-SHA256(secret, salt "${args.writePsk.salt}", info "${args.writePsk.info}", ${args.writePsk.length} bytes), written to ${args.writePsk.path} (mode 0600)`,
            ]),
      ];
      if (args.printSecret) {
        // The report goes to stderr so that stdout holds the secret alone, for a pipe.
        io.stderr.write(lines.join('\n') + '\n');
        io.stdout.write(result.secret.toString('hex') + '\n');
      } else {
        io.stdout.write(lines.join('\n') + '\n');
      }
      return 0;
    } finally {
      result.secret.fill(0);
    }
  } finally {
    for (const h of held) h.share.y.fill(0);
  }
}
