// Validation of `POST /v1/token` bodies exactly as the Confidential Space launcher does it
// (go-tpm-tools launcher/teeserver): Go's json.Decoder with DisallowUnknownFields, then
// audience and token_type checks, then the attestation service's nonce rules.
import type { TokenType } from '../attestation/authority.js';

/** A validated custom-token request. */
export interface TokenOptions {
  readonly audience: string;
  readonly nonces: readonly string[];
  readonly tokenType: TokenType;
}

export type ParseResult =
  | { readonly ok: true; readonly options: TokenOptions }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** Go struct fields of launcher `models.TokenOptions` (matched case-insensitively, as Go does). */
const FIELDS = ['audience', 'nonces', 'token_type', 'aws_principal_tag_options'] as const;
const TOKEN_TYPES: readonly string[] = ['OIDC', 'PKI', 'LIMITED_AWS', 'AWS_PRINCIPALTAGS'];
export const MAX_NONCES = 6;
export const MAX_AUDIENCE_BYTES = 512;
/** Union of the documented ranges: 10..74 bytes (API reference) and 8..88 (claims page). */
export const NONCE_MIN_BYTES = 8;
export const NONCE_MAX_BYTES = 88;

const bad = (message: string): ParseResult => ({ ok: false, status: 400, message });
const parseError = (detail: string): ParseResult =>
  bad(`failed to parse POST body as TokenOptions: ${detail}`);
const serviceError = (detail: string): ParseResult =>
  bad(
    `failed to retrieve custom attestation service token: rpc error: code = InvalidArgument desc = ${detail}`,
  );

// Parses and validates a request body; the result carries the launcher's status and text.
export function parseTokenOptions(body: string): ParseResult {
  const decoded = decodeGoJson(body);
  if (!decoded.ok) return decoded;
  const fields = decoded.fields;
  const audience = fields.audience;
  const nonces = fields.nonces;
  const tokenType = fields.token_type;
  if (audience !== undefined && audience !== null && typeof audience !== 'string') {
    return parseError(typeMismatch(audience, 'audience', 'string'));
  }
  if (tokenType !== undefined && tokenType !== null && typeof tokenType !== 'string') {
    return parseError(typeMismatch(tokenType, 'token_type', 'string'));
  }
  if (nonces !== undefined && nonces !== null) {
    if (!Array.isArray(nonces)) return parseError(typeMismatch(nonces, 'nonces', '[]string'));
    const wrong: unknown = (nonces as unknown[]).find((n) => typeof n !== 'string');
    if (wrong !== undefined) return parseError(typeMismatch(wrong, 'nonces', 'string'));
  }
  if (typeof audience !== 'string' || audience === '') {
    return bad('use GET request for the default identity token');
  }
  if (typeof tokenType !== 'string' || tokenType === '') {
    return bad('token_type is a required parameter');
  }
  const list = (nonces ?? []) as string[];
  if (!TOKEN_TYPES.includes(tokenType)) return serviceError(`unsupported token type: ${tokenType}`);
  if (Buffer.byteLength(audience) > MAX_AUDIENCE_BYTES) {
    return serviceError(`audience must be at most ${MAX_AUDIENCE_BYTES} bytes`);
  }
  if (list.length > MAX_NONCES) {
    return serviceError(`at most ${MAX_NONCES} nonces are allowed, got ${list.length}`);
  }
  for (const nonce of list) {
    const size = Buffer.byteLength(nonce);
    if (size < NONCE_MIN_BYTES || size > NONCE_MAX_BYTES) {
      return serviceError(
        `nonce must be between ${NONCE_MIN_BYTES} and ${NONCE_MAX_BYTES} bytes, got ${size} bytes`,
      );
    }
  }
  return { ok: true, options: { audience, nonces: list, tokenType: tokenType as TokenType } };
}

type Decoded =
  | { readonly ok: true; readonly fields: Partial<Record<(typeof FIELDS)[number], unknown>> }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** Mimics `json.NewDecoder(body).Decode(&opts)` with DisallowUnknownFields. */
function decodeGoJson(body: string): Decoded {
  if (body.trim() === '') return parseError('EOF') as Decoded;
  let value: unknown;
  try {
    value = JSON.parse(firstJsonValue(body));
  } catch {
    return parseError(goSyntaxError(body.trim())) as Decoded;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (value === null) return { ok: true, fields: {} };
    const kind = Array.isArray(value) ? 'array' : typeof value;
    return parseError(
      `json: cannot unmarshal ${kind} into Go value of type models.TokenOptions`,
    ) as Decoded;
  }
  const fields: Partial<Record<(typeof FIELDS)[number], unknown>> = {};
  for (const [key, v] of Object.entries(value)) {
    const field =
      FIELDS.find((f) => f === key) ?? FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
    if (field === undefined) return parseError(`json: unknown field "${key}"`) as Decoded;
    fields[field] = v;
  }
  return { ok: true, fields };
}

/** Go's decoder reads one value and ignores what follows it. */
function firstJsonValue(body: string): string {
  const text = body.trimStart();
  if (!text.startsWith('{')) return text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return text.slice(0, i + 1);
    }
  }
  return text;
}

function typeMismatch(value: unknown, field: string, goType: string): string {
  const kind = Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  return `json: cannot unmarshal ${kind} into Go struct field TokenOptions.${field} of type ${goType}`;
}

/** The start of Go's syntax error text for the common cases (wrong first byte, bad literal). */
function goSyntaxError(text: string): string {
  const c = text.charAt(0);
  const literal = ['true', 'false', 'null'].find((l) => l.startsWith(c));
  if (literal !== undefined) {
    for (let i = 1; i < literal.length; i += 1) {
      if (i >= text.length) return 'unexpected EOF';
      if (text.charAt(i) !== literal.charAt(i)) {
        return `invalid character '${text.charAt(i)}' in literal ${literal} (expecting '${literal.charAt(i)}')`;
      }
    }
  }
  if (/[[{"\-0-9tfn]/.test(c)) return 'unexpected EOF';
  return `invalid character '${c}' looking for beginning of value`;
}
