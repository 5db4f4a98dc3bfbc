// Turns what google-auth-library throws (STS OAuth errors, IAM Google errors, fetch
// failures) into teeinit errors that name the collaborator, the provider and Google's own
// explanation. Google's error_description never holds a secret; tokens never appear here.
import { TeeinitError } from '../errors/index.js';
import {
  classifyIamCredentials,
  classifySts,
  failureOf,
  withFailure,
  type FailureKind,
} from '../retry/index.js';

/** What the error message should name. */
export interface IdentityErrorContext {
  readonly collaborator: string;
  readonly provider?: string;
  readonly serviceAccount?: string;
  readonly stsUrl: string;
  readonly impersonationUrl?: string;
  readonly callTimeoutMs: number;
  /** `credentials: adc`: no STS, the library picks the source (file, gcloud, metadata). */
  readonly adc?: boolean;
}

/** A mapped error and what it means (src/retry/failure.ts); the error carries the kind too. */
export interface MappedIdentityError {
  readonly error: TeeinitError;
  readonly kind: FailureKind;
}

const OAUTH_REJECTIONS = new Set([
  'unauthorized_client',
  'invalid_grant',
  'invalid_target',
  'invalid_request',
  'invalid_scope',
  'access_denied',
]);

interface LibraryError {
  readonly message?: unknown;
  readonly name?: unknown;
  readonly code?: unknown;
  readonly config?: { readonly url?: unknown };
  readonly response?: { readonly status?: unknown; readonly data?: unknown };
}

/** Classifies one failed credential attempt. */
export function mapIdentityError(error: unknown, ctx: IdentityErrorContext): MappedIdentityError {
  const mapped = describe(error, ctx);
  return { error: withFailure(mapped.error, mapped.kind), kind: mapped.kind };
}

function describe(error: unknown, ctx: IdentityErrorContext): MappedIdentityError {
  // Our own errors (token file, teeserver) carry their kind; unmarked ones are refusals.
  if (error instanceof TeeinitError) return { error, kind: failureOf(error) ?? 'refusal' };
  const e = (error ?? {}) as LibraryError;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const url =
    typeof e.config?.url === 'string' || e.config?.url instanceof URL ? String(e.config.url) : '';
  const isIam = ctx.impersonationUrl !== undefined && url === ctx.impersonationUrl;
  const step = ctx.adc
    ? 'Application Default Credentials'
    : isIam
      ? `IAM generateAccessToken for ${ctx.serviceAccount ?? '?'}`
      : 'STS token exchange';
  const endpoint = ctx.adc ? 'ADC' : isIam ? ctx.impersonationUrl : ctx.stsUrl;
  const fields = {
    collaborator: ctx.collaborator,
    ...(ctx.provider ? { provider: ctx.provider } : {}),
    ...(ctx.serviceAccount ? { serviceAccount: ctx.serviceAccount } : {}),
    step: isIam ? 'iam.generateAccessToken' : 'sts.token',
    ...(status ? { status } : {}),
  };
  const who = `collaborator "${ctx.collaborator}"`;

  if (ctx.adc && status === undefined && /default credentials/i.test(messageOf(e, ''))) {
    return {
      kind: 'refusal',
      error: new TeeinitError(
        'TEEINIT_UNAUTHENTICATED',
        `${step} for ${who} found no credentials: ${messageOf(e, '')}`,
        {
          cause: scrub(e),
          fields,
          hint: 'Set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or run on GCE.',
        },
      ),
    };
  }
  if (status === undefined) {
    if (isAbort(e)) {
      return {
        kind: 'outage',
        error: new TeeinitError(
          'TEEINIT_DEADLINE_EXCEEDED',
          `${step} for ${who} got no answer within ${ctx.callTimeoutMs} ms (${endpoint}).`,
          { cause: scrub(e), fields },
        ),
      };
    }
    const code = typeof e.code === 'string' ? e.code : messageOf(e, 'unknown error');
    return {
      kind: 'outage',
      error: new TeeinitError(
        'TEEINIT_NETWORK',
        `${step} for ${who} failed: ${code} (${endpoint}).`,
        { cause: scrub(e), fields },
      ),
    };
  }

  const google = describeGoogleError(e.response?.data);
  const kind = isIam ? classifyIamCredentials(status) : classifySts(status);
  if (kind === 'outage') {
    return {
      kind,
      error: new TeeinitError(
        'TEEINIT_NETWORK',
        `${step} for ${who} answered HTTP ${status}: ${google.text}`,
        { cause: scrub(e), fields },
      ),
    };
  }
  if (ctx.adc) {
    return {
      kind: 'refusal',
      error: new TeeinitError(
        'TEEINIT_UNAUTHENTICATED',
        `${step} for ${who} failed (HTTP ${status}): ${google.text}`,
        {
          cause: scrub(e),
          fields,
        },
      ),
    };
  }
  if (isIam) {
    const code = status === 401 ? 'TEEINIT_UNAUTHENTICATED' : 'TEEINIT_IMPERSONATION_DENIED';
    return {
      // A 403 right after the collaborator's grant is IAM still propagating (start-up waits).
      kind,
      error: new TeeinitError(
        code,
        `Impersonating ${ctx.serviceAccount ?? '?'} for ${who} was refused (HTTP ${status}): ${google.text}`,
        { cause: scrub(e), fields },
      ),
    };
  }
  if (
    google.oauthError !== undefined &&
    (OAUTH_REJECTIONS.has(google.oauthError) || status < 500)
  ) {
    return {
      kind: 'refusal',
      error: new TeeinitError(
        'TEEINIT_IDENTITY_REJECTED',
        `The Workload Identity provider ${ctx.provider ?? '?'} of ${who} rejected the attestation token (HTTP ${status}): ${google.text}`,
        { cause: scrub(e), fields: { ...fields, oauthError: google.oauthError } },
      ),
    };
  }
  return {
    kind: 'refusal',
    error: new TeeinitError(
      'TEEINIT_IDENTITY_REJECTED',
      `${step} for ${who} with provider ${ctx.provider ?? '?'} failed (HTTP ${status}): ${google.text}`,
      { cause: scrub(e), fields },
    ),
  };
}

/** Google's explanation: OAuth `error`/`error_description` or `error.message`/`status`. */
function describeGoogleError(data: unknown): { text: string; oauthError?: string } {
  if (data !== null && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    if (typeof d.error === 'string') {
      const desc = typeof d.error_description === 'string' ? `: ${d.error_description}` : '';
      return { text: `${d.error}${desc}`, oauthError: d.error };
    }
    if (d.error !== null && typeof d.error === 'object') {
      const g = d.error as Record<string, unknown>;
      const st = typeof g.status === 'string' ? `${g.status}: ` : '';
      return { text: `${st}${typeof g.message === 'string' ? g.message : 'no message'}` };
    }
  }
  if (typeof data === 'string' && data.length > 0) return { text: data.slice(0, 200) };
  return { text: 'no error body' };
}

function messageOf(e: LibraryError, fallback: string): string {
  return typeof e.message === 'string' ? e.message : fallback;
}

function isAbort(e: LibraryError): boolean {
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const text = `${name} ${code} ${messageOf(e, '')}`;
  return /abort|timeout/i.test(text);
}

/** A cause without the library's request config (it holds the subject token and headers). */
function scrub(e: LibraryError): Error {
  const status = typeof e.response?.status === 'number' ? ` (HTTP ${e.response.status})` : '';
  const scrubbed = new Error(`${messageOf(e, 'error')}${status}`);
  if (typeof e.code === 'string') Object.assign(scrubbed, { code: e.code });
  return scrubbed;
}
