// The TLS terminator: mtls-server, mtls-client, psk-server, psk-client. See docs/proxy.md.
export { startProxy, type StartProxyOptions } from './start-proxy.js';
export type { ProxyMaterial, ProxyStats, RejectReason, RunningProxy } from './types.js';
export { authorizePeer, hasAuthorizationRules, type AuthorizationResult } from './authorize.js';
export { matchUriPattern } from './uri-pattern.js';
export { parseAddress, isLoopback, formatAddress, type Address } from './address.js';
export { PSK_CIPHERS_TLS12, PSK_CIPHERS_TLS13 } from './psk-context.js';
