// Environment variables that change how Node.js or an HTTP client inside teeinit behaves.
// The VM operator controls the container's environment (tee-env-*, where a launch policy
// lets it through), so `teeinit run` refuses to start while one of these is set, unless
// the image's config accepts it by name (`environment.accept`). A few can never be
// accepted: they would make teeinit itself trust another CA or route its calls to Google
// through a proxy. Each entry says why it is here; docs/configuration.md lists them.
//
// Left out on purpose: colour and warning switches (FORCE_COLOR, NO_COLOR,
// NODE_DISABLE_COLORS, NODE_NO_WARNINGS, NODE_PENDING_DEPRECATION), TZ (teeinit logs UTC),
// UV_THREADPOOL_SIZE and UV_USE_IO_URING (speed only: an operator who wants teeinit slow
// can already starve the VM), NODE_REPL_HISTORY, NODE_SKIP_PLATFORM_CHECK,
// NODE_TEST_CONTEXT, NODE_COMPILE_CACHE_PORTABLE and NODE_DISABLE_COMPILE_CACHE (no
// effect on a script run), HOME (every process has one; it decides where ADC looks for
// gcloud's credentials, which is why `credentials: adc` is for local development),
// GOOGLE_CLOUD_PROJECT and GCLOUD_PROJECT (teeinit gives the library a project id, so it
// never reads them), DETECT_GCP_RETRIES and DEBUG_AUTH (how often gcp-metadata probes, and
// whether it prints why a probe failed: no token, no address), AWS_* (read only for AWS
// credentials files, which only an accepted GOOGLE_APPLICATION_CREDENTIALS could name).

export interface GuardedVariable {
  readonly name: string;
  /** What it would change, in a few words (the refusal's message names the variable only). */
  readonly why: string;
  /** False: refused even when the config names it. */
  readonly acceptable: boolean;
}

const guard = (name: string, why: string, acceptable = true): GuardedVariable => ({
  name,
  why,
  acceptable,
});

const PROXY_WHY = "routes HTTP clients through a proxy; teeinit's own calls ignore it";
const NO_PROXY_WHY =
  "decides which hosts HTTP clients reach without the proxy; teeinit's own calls use none";

/** Every guarded variable, by exact name (the environment is case-sensitive). */
export const GUARDED_VARIABLES: readonly GuardedVariable[] = [
  // Node.js itself (node --help's environment section, Node 20 and 24).
  guard('NODE_OPTIONS', 'adds Node flags: --require/--import run code, --inspect opens a debugger'),
  guard('NODE_TLS_REJECT_UNAUTHORIZED', 'turns off certificate checks for every TLS client', false),
  guard('NODE_EXTRA_CA_CERTS', 'adds trusted CAs for every TLS client (a man in the middle)'),
  guard('NODE_USE_SYSTEM_CA', "adds the system's CA store to every TLS client"),
  guard(
    'NODE_USE_ENV_PROXY',
    "routes Node's own fetch and https through the proxy variables",
    false,
  ),
  guard('NODE_PATH', 'adds directories where modules are looked up (code from outside the image)'),
  guard('NODE_PRESERVE_SYMLINKS', 'changes which module files are loaded'),
  guard('NODE_REPL_EXTERNAL_MODULE', 'loads a module in place of the REPL'),
  guard(
    'NODE_COMPILE_CACHE',
    'reads and writes compiled code in a directory (code from outside the image)',
  ),
  guard('NODE_V8_COVERAGE', 'writes coverage files (script names and ranges) to a directory'),
  guard('NODE_REDIRECT_WARNINGS', 'appends warnings to a file at any path'),
  guard('NODE_ICU_DATA', 'loads ICU data from a file'),
  guard('NODE_DEBUG', "prints core modules' debug output (requests, sockets) to stderr"),
  guard('NODE_DEBUG_NATIVE', "prints Node's native debug output to stderr"),
  guard('NODE_CHANNEL_FD', 'opens an IPC channel on a descriptor and acts on its messages'),
  guard('NODE_UNIQUE_ID', 'makes Node act as a cluster worker'),
  // OpenSSL, as Node uses it.
  guard(
    'OPENSSL_CONF',
    'loads an OpenSSL config file, which can load engines and providers (native code)',
  ),
  guard(
    'SSL_CERT_FILE',
    "replaces the trusted CAs where OpenSSL's store is used (--use-openssl-ca)",
  ),
  guard('SSL_CERT_DIR', "replaces the trusted CA directory where OpenSSL's store is used"),
  // Proxies, in both spellings HTTP clients read (gaxios, undici, curl, Go).
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'].flatMap((name) => [
    guard(name, PROXY_WHY),
    guard(name.toLowerCase(), PROXY_WHY),
  ]),
  guard('NO_PROXY', NO_PROXY_WHY),
  guard('no_proxy', NO_PROXY_WHY),
  // google-auth-library, gaxios and gcp-metadata (read from their sources in node_modules).
  guard('GOOGLE_APPLICATION_CREDENTIALS', 'picks the credentials file of `credentials: adc`'),
  guard('google_application_credentials', 'picks the credentials file of `credentials: adc`'),
  guard('CLOUDSDK_CONFIG', 'picks the gcloud directory whose credentials `credentials: adc` uses'),
  guard('GCE_METADATA_HOST', 'points `credentials: adc` at another metadata server'),
  guard('GCE_METADATA_IP', 'points `credentials: adc` at another metadata server'),
  guard('METADATA_SERVER_DETECTION', 'changes how `credentials: adc` finds the metadata server'),
  guard('GOOGLE_CLOUD_QUOTA_PROJECT', 'bills the `credentials: adc` calls to another project'),
  guard('GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES', 'lets a credentials file run a program'),
  guard('GOOGLE_API_CERTIFICATE_CONFIG', 'picks a client certificate for Google calls'),
  guard(
    'GOOGLE_SDK_NODE_LOGGING',
    "prints the Google libraries' requests and responses (access tokens)",
  ),
];

/** The entry for `name`, if it is guarded. */
export function guardedVariable(name: string): GuardedVariable | undefined {
  return GUARDED_VARIABLES.find((v) => v.name === name);
}
