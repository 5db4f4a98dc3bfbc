// The `attest` part of each planned proxy: what it presents (audience, token type, the
// launcher socket) and the policies a peer's evidence must meet, the proxy's and each SNI
// entry's. Config only: no token is fetched to build it.
import type { AttestPolicy, ProxyConfig } from '../config/types.js';
import type { PlannedAttest } from './types.js';

/** The proxy's attested channel, or undefined when it has none. */
export function planAttest(p: ProxyConfig): PlannedAttest | undefined {
  const sni = Object.entries(p.sniCa).flatMap(([name, entry]) =>
    entry.attest === undefined ? [] : [[name, entry.attest.require] as const],
  );
  if (p.attest === undefined && sni.length === 0) return undefined;
  const present = p.attest?.present;
  return {
    ...(present === undefined
      ? {}
      : {
          present: {
            audience: present.audience,
            tokenType: present.tokenType,
            socket: present.socket,
            startupDeadlineMs: present.startupDeadline,
          },
        }),
    ...(p.attest?.require === undefined ? {} : { require: p.attest.require }),
    ...(sni.length === 0 ? {} : { sniRequire: Object.fromEntries(sni) }),
  };
}

/** Text lines under the proxy's line in `teeinit plan`. */
export function formatAttest(a: PlannedAttest): string[] {
  const lines: string[] = [];
  if (a.present !== undefined) {
    lines.push(
      `attest present: ${a.present.tokenType} token for ${a.present.audience} from ${a.present.socket}`,
    );
  } else {
    lines.push('attest present: nothing (sends a "none" frame)');
  }
  if (a.require !== undefined) lines.push(`attest require: ${describePolicy(a.require)}`);
  for (const [name, policy] of Object.entries(a.sniRequire ?? {})) {
    lines.push(`attest require (sni ${name}): ${describePolicy(policy)}`);
  }
  if (a.require === undefined && a.sniRequire === undefined) {
    lines.push("attest require: nothing (the peer's evidence is not checked)");
  }
  return lines;
}

function describePolicy(p: AttestPolicy): string {
  const images = [
    ...p.imageDigests,
    ...p.imageReferencePrefixes.map((x) => `${x}*`),
    ...p.imageSignatureKeyIds.map((k) => `signed by ${k}`),
  ];
  return [
    `audience ${p.audience}`,
    `images ${images.join(', ')}`,
    `support ${p.supportAttribute}`,
    p.unsafeAllowDebug ? 'debug images ADMITTED (unsafeAllowDebug)' : 'no debug images',
    `hwmodels ${p.hwmodels.join(', ')}`,
    `tokens ${p.tokenTypes.join(', ')}`,
    ...(p.serviceAccounts.length === 0 ? [] : [`service accounts ${p.serviceAccounts.join(', ')}`]),
    ...(p.projectIds.length === 0 ? [] : [`projects ${p.projectIds.join(', ')}`]),
  ].join('; ');
}
