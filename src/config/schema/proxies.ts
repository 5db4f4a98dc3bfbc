// Schema of the TLS terminators teeinit runs itself. The `psk: KEY` + `identity: ID`
// shorthand normalizes to `identities: { ID: KEY }`.
import { z } from 'zod';
import { DEFAULTS } from '../defaults.js';
import { proxyAttestSchema, sniAttestSchema } from './attest.js';
import { duration, name, token } from './primitives.js';

const L = DEFAULTS.proxyLimits;

export const authorizeSchema = z.strictObject({
  allowAll: z.boolean().default(false),
  commonNames: z.array(token).default([]),
  dnsNames: z.array(token).default([]),
  uris: z.array(token).default([]),
  spkiSha256: z
    .array(
      z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { error: 'expected base64 of a SHA-256 digest' }),
    )
    .default([]),
});

export const limitsSchema = z.strictObject({
  handshakeTimeout: duration().default(L.handshakeTimeout),
  idleTimeout: duration().default(L.idleTimeout),
  maxLifetime: duration(0).default(L.maxLifetime),
  maxConnections: z.number().int().min(1).max(1_000_000).default(L.maxConnections),
  connectTimeout: duration().default(L.connectTimeout),
  maxHandshakesPerSource: z.number().int().min(1).max(1_000_000).default(L.maxHandshakesPerSource),
});

const SNI_ENTRY_EXPECTED =
  'expected { ca: SECRET, authorize: { ...rules } }; the `NAME: SECRET` shorthand is refused: each SNI name carries its own CA and the rules its clients are checked against';

/** mtls-server: one collaborator's CA and the rules its clients are checked against. */
export const sniEntrySchema = z.strictObject(
  {
    ca: name,
    authorize: authorizeSchema.prefault({}),
    /** Replaces the proxy's `attest.require` for the clients of this entry. */
    attest: sniAttestSchema.optional(),
  },
  { error: SNI_ENTRY_EXPECTED },
);

export const proxySchema = z
  .strictObject({
    name,
    mode: z.enum(['mtls-server', 'mtls-client', 'psk-server', 'psk-client']),
    listen: token,
    target: token,
    tls: name.optional(),
    sniCa: z.record(token, sniEntrySchema).default({}),
    identities: z.record(token, name).optional(),
    /** Shorthand: the key of a single identity (with `identity`). */
    psk: name.optional(),
    /** Shorthand: the single PSK identity (with `psk`). */
    identity: token.optional(),
    tlsVersion: z.enum(['1.2', '1.3']).default(DEFAULTS.proxy.tlsVersion),
    authorize: authorizeSchema.prefault({}),
    serverName: token.optional(),
    limits: limitsSchema.prefault({}),
    unsafeNonLoopback: z.boolean().default(DEFAULTS.proxy.unsafeNonLoopback),
    start: z.enum(['before-processes', 'after-processes']).default(DEFAULTS.proxy.start),
    status: token.optional(),
    attest: proxyAttestSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.psk === undefined) !== (p.identity === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [p.psk === undefined ? 'psk' : 'identity'],
        message: 'expected `psk` and `identity` together (or `identities`)',
      });
    }
    if (p.psk !== undefined && p.identities !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['identities'],
        message: 'expected either `identities` or the `psk` + `identity` shorthand, not both',
      });
    }
  })
  .transform(({ psk, identity, identities, ...rest }) => ({
    ...rest,
    identities:
      psk !== undefined && identity !== undefined ? { [identity]: psk } : (identities ?? {}),
  }));
