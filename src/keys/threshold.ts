// Shamir secret sharing for threshold keys, on the audited `shamir-secret-sharing` package
// (GF(256), the field and share layout of HashiCorp Vault's shamir: y bytes then x): no
// field arithmetic of our own. The package does not check what it recombines; this module
// does, with the key id every share carries: a set of shares counts only when the secret
// it recombines to hashes to that key id. From shares of mixed origin it finds the one
// split that reaches the threshold, and names every share it could not use and why.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { TeeinitError } from '../errors/index.js';
import { keyIdOf, type ThresholdShare } from './share-format.js';

/** A share and whose it is: a secret and its collaborator, or a file. */
export interface HeldShare {
  /** The secret name (or the file) it came from. */
  readonly secret: string;
  readonly collaborator: string;
  readonly share: ThresholdShare;
}

/** A share that could not be used, and why (never its value). */
export interface RejectedShare {
  readonly held: HeldShare;
  readonly error: TeeinitError;
}

/** The secret, the shares it was recombined from, and the shares left out. */
export interface Recovered {
  readonly ok: true;
  /** The recovered secret: the caller zeroes it once used. */
  readonly secret: Buffer;
  readonly keyId: string;
  /** Every share consistent with the secret, in (collaborator, secret) order. */
  readonly used: readonly HeldShare[];
  readonly rejected: readonly RejectedShare[];
}

/** Why no secret came out: what is missing or inconsistent, and the shares left out. */
export interface NotRecovered {
  readonly ok: false;
  /** One sentence, ending without a period: "only 1 of them agrees…". */
  readonly problem: string;
  readonly rejected: readonly RejectedShare[];
}

/** How many t-subsets of one split's shares are tried to find the altered ones. */
export const MAX_COMBINATIONS = 1000;

/**
 * Why: the dealer's one step; a fresh random secret unless one is given. The returned
 * shares' y bytes are secret material (the caller writes them and zeroes them).
 */
export async function splitSecret(
  secret: Buffer,
  total: number,
  threshold: number,
): Promise<ThresholdShare[]> {
  const input = toUint8(secret);
  try {
    const parts = await split(input, total, threshold);
    const keyId = keyIdOf(secret);
    return parts.map((part) => {
      const y = Buffer.from(part.subarray(0, part.length - 1));
      const x = part[part.length - 1] ?? 0;
      part.fill(0);
      return { threshold, total, keyId, x, y };
    });
  } finally {
    input.fill(0);
  }
}

/** A fresh random secret of `bytes` bytes (32 by default: a 256-bit key). */
export function freshSecret(bytes = 32): Buffer {
  return randomBytes(bytes);
}

/**
 * Why: start-up, refresh and `teeinit shares combine` all decide the same way which shares
 * make the key. Shares are grouped by key id; within a group, shares with the same x are
 * left out (a copied or altered share, which one cannot be told); a group of at least t
 * shares is recombined whole, else t-subsets are tried (at most MAX_COMBINATIONS) until
 * one hashes to the key id, and every other share of the group is checked against it.
 * Exactly one split may reach the threshold. `threshold` is the t every share was checked
 * against already.
 */
export async function recoverSecret(
  threshold: number,
  shares: readonly HeldShare[],
): Promise<Recovered | NotRecovered> {
  const ordered = [...shares].sort(
    (a, b) => compare(a.collaborator, b.collaborator) || compare(a.secret, b.secret),
  );
  const rejected: RejectedShare[] = [];
  const groups = new Map<string, HeldShare[]>();
  for (const held of ordered) {
    const id = `${held.share.keyId}/${held.share.y.length}`;
    groups.set(id, [...(groups.get(id) ?? []), held]);
  }
  const found: { secret: Buffer; keyId: string; used: HeldShare[]; group: HeldShare[] }[] = [];
  const unverified: HeldShare[][] = [];
  for (const group of groups.values()) {
    const distinct = dropSameX(group, rejected);
    if (distinct.length < threshold) continue;
    const hit = await findConsistent(threshold, distinct);
    if (hit === undefined) {
      unverified.push(distinct);
      continue;
    }
    const used = [...hit.subset];
    for (const held of distinct) {
      if (hit.subset.includes(held)) continue;
      if (await agrees(hit.secret, [...hit.subset.slice(0, threshold - 1), held])) used.push(held);
      else rejected.push({ held, error: altered(held, hit.subset) });
    }
    found.push({ secret: hit.secret, keyId: distinct[0]?.share.keyId ?? '', used, group });
  }
  if (found.length > 1) {
    for (const f of found) f.secret.fill(0);
    const ids = found.map((f) => f.keyId).join(' and ');
    return {
      ok: false,
      problem: `shares of ${found.length} different splits (key ids ${ids}) each reach the threshold of ${threshold}; which one is meant cannot be told, so none is used: have the collaborators of the wrong split store their share of the right one`,
      rejected,
    };
  }
  const hit = found[0];
  if (hit === undefined) {
    return { ok: false, problem: whyNone(threshold, ordered, unverified, rejected), rejected };
  }
  for (const held of ordered) {
    if (hit.group.includes(held) || rejected.some((r) => r.held === held)) continue;
    rejected.push({
      held,
      error: new TeeinitError(
        'TEEINIT_SHARES_INCONSISTENT',
        `${describe(held)} belongs to another split (key id ${held.share.keyId}${held.share.y.length === hit.secret.length ? '' : `, ${held.share.y.length}-byte`}) than the shares the key was recovered from (key id ${hit.keyId}).`,
        { fields: fieldsOf(held) },
      ),
    });
  }
  const used = hit.used.sort(
    (a, b) => compare(a.collaborator, b.collaborator) || compare(a.secret, b.secret),
  );
  return { ok: true, secret: hit.secret, keyId: hit.keyId, used, rejected };
}

/** Shares whose x another share of the group also has: left out, all of them. */
function dropSameX(group: readonly HeldShare[], rejected: RejectedShare[]): HeldShare[] {
  const byX = new Map<number, HeldShare[]>();
  for (const held of group) byX.set(held.share.x, [...(byX.get(held.share.x) ?? []), held]);
  const kept: HeldShare[] = [];
  for (const held of group) {
    const same = byX.get(held.share.x) ?? [];
    if (same.length === 1) {
      kept.push(held);
      continue;
    }
    const others = same.filter((o) => o !== held);
    const copy = others.some((o) => timingSafeEqual(o.share.y, held.share.y));
    rejected.push({
      held,
      error: new TeeinitError(
        'TEEINIT_SHARES_INCONSISTENT',
        `${describe(held)} has the same x coordinate (${held.share.x}) as ${others.map(describe).join(', ')}${copy ? ' and the same value: one collaborator stored a copy of another’s share' : ' but another value: one of them was altered'}; the dealer gives each collaborator a different share, and which is right cannot be told, so neither is used.`,
        { fields: fieldsOf(held) },
      ),
    });
  }
  return kept;
}

/** The whole group if it recombines to its key id, else the first t-subset that does. */
async function findConsistent(
  threshold: number,
  group: readonly HeldShare[],
): Promise<{ secret: Buffer; subset: readonly HeldShare[] } | undefined> {
  const whole = await recombine(group);
  if (whole !== undefined) return { secret: whole, subset: group };
  if (group.length === threshold || binomial(group.length, threshold) > MAX_COMBINATIONS) {
    return undefined;
  }
  for (const subset of subsets(group, threshold)) {
    const secret = await recombine(subset);
    if (secret !== undefined) return { secret, subset };
  }
  return undefined;
}

/** The secret of `shares` if it hashes to their key id, else undefined (nothing kept). */
async function recombine(shares: readonly HeldShare[]): Promise<Buffer | undefined> {
  const parts = shares.map(({ share }) => {
    const part = new Uint8Array(share.y.length + 1);
    part.set(share.y);
    part[share.y.length] = share.x;
    return part;
  });
  try {
    const out = await combine(parts);
    const secret = Buffer.from(out);
    out.fill(0);
    if (keyIdOf(secret) === shares[0]?.share.keyId) return secret;
    secret.fill(0);
    return undefined;
  } finally {
    for (const part of parts) part.fill(0);
  }
}

async function agrees(secret: Buffer, shares: readonly HeldShare[]): Promise<boolean> {
  const other = await recombine(shares);
  if (other === undefined) return false;
  const same = other.length === secret.length && timingSafeEqual(other, secret);
  other.fill(0);
  return same;
}

function whyNone(
  threshold: number,
  all: readonly HeldShare[],
  unverified: readonly (readonly HeldShare[])[],
  rejected: readonly RejectedShare[],
): string {
  const group = unverified[0];
  if (group !== undefined) {
    const keyId = group[0]?.share.keyId ?? '';
    return `no ${threshold} of ${group.map(describe).join(', ')} recombine to their key id ${keyId}: at least one of them was altered or corrupted (with one more consistent share, teeinit tells which)`;
  }
  const usable = all.length - rejected.length;
  const ids = new Set(all.map((h) => h.share.keyId));
  if (ids.size > 1) {
    return `the ${all.length} shares at hand come from ${ids.size} different splits (key ids ${[...ids].join(', ')}), and none of them has ${threshold}`;
  }
  const count =
    usable === 0 ? 'no share is' : usable === 1 ? 'only 1 share is' : `only ${usable} shares are`;
  return `${count} usable and ${threshold} are needed`;
}

function altered(held: HeldShare, subset: readonly HeldShare[]): TeeinitError {
  return new TeeinitError(
    'TEEINIT_SHARES_INCONSISTENT',
    `${describe(held)} carries key id ${held.share.keyId} but does not recombine with ${subset.map(describe).join(', ')} to it: it was altered or corrupted.`,
    { fields: fieldsOf(held) },
  );
}

/** `share "bob-share" (collaborator bob)`, or `share file "x"` for the dealer's files. */
export function describe(held: { readonly secret: string; readonly collaborator: string }): string {
  return held.collaborator === ''
    ? `share file "${held.secret}"`
    : `share "${held.secret}" (collaborator ${held.collaborator})`;
}

function fieldsOf(held: {
  readonly secret: string;
  readonly collaborator: string;
}): Record<string, string> {
  return held.collaborator === ''
    ? { file: held.secret }
    : { secret: held.secret, collaborator: held.collaborator };
}

/** A Uint8Array whose constructor is Uint8Array itself, as the package checks. */
function toUint8(bytes: Buffer): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return Math.round(r);
}

/** k-subsets of `items` in lexicographic order of positions. */
function* subsets<T>(items: readonly T[], k: number): Generator<T[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield idx.map((i) => items[i] as T);
    let i = k - 1;
    while (i >= 0 && idx[i] === items.length - k + i) i--;
    if (i < 0) return;
    idx[i] = (idx[i] ?? 0) + 1;
    for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] ?? 0) + 1;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
