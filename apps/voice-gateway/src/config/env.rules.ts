import proxyaddr from 'proxy-addr';

/** Parsers and cross-variable checks for values a class-validator decorator cannot express. */

/** The bundled example modules `EXAMPLE_MODULES` may name (src/examples). */
export const EXAMPLE_MODULE_NAMES = ['opening-hours', 'call-summary'] as const;
export type ExampleModuleName = (typeof EXAMPLE_MODULE_NAMES)[number];

/** Host names a plain ws:// (or http://) URL may point at: this machine only, by name or address. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Express `trust proxy` from TRUST_PROXY: `true`/`false`, a hop count (`1`: believe the nearest
 * proxy's X-Forwarded-For entry), or a comma list of addresses, CIDR ranges or the names `loopback`,
 * `linklocal`, `uniquelocal` (the proxies whose X-Forwarded-For to believe). Each list is compiled
 * with proxy-addr, the parser Express itself uses, so anything accepted here cannot fail at start.
 * Source: Express 5 "behind proxies" guide. Returns undefined for a value of none of those shapes.
 */
export function parseTrustProxy(
  value: string,
): boolean | number | string[] | undefined {
  const trimmed = value.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^\d{1,3}$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) return undefined;
  try {
    proxyaddr.compile(entries);
  } catch {
    return undefined;
  }
  return entries;
}

/** EXAMPLE_MODULES as a list of known names; undefined when any entry is unknown. */
export function parseExampleModules(
  value: string,
): ExampleModuleName[] | undefined {
  const names = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const known = new Set<string>(EXAMPLE_MODULE_NAMES);
  return names.every((name) => known.has(name))
    ? [...new Set(names)].map((name) => name as ExampleModuleName)
    : undefined;
}

/** The variables semanticErrors checks (as EnvironmentVariables holds them, strings when set). */
export interface RuleCheckedVariables {
  EXAMPLE_MODULES?: string;
  GEMINI_LIVE_URL?: string;
  GOOGLE_CLOUD_LOCATION?: string;
  GOOGLE_CLOUD_PROJECT?: string;
  TRUST_PROXY?: string;
  TWILIO_API_BASE_URL?: string;
}

/**
 * Checks a decorator cannot express: value shapes with their own parsers, and pairs of
 * variables. One `  - KEY: message (got …)` line per problem; `shown` renders the value safely.
 */
export function semanticErrors(
  env: RuleCheckedVariables,
  shown: (key: string) => string,
): string[] {
  const errors: Array<[key: string, message: string]> = [];
  if (
    env.TRUST_PROXY !== undefined &&
    parseTrustProxy(env.TRUST_PROXY) === undefined
  ) {
    errors.push([
      'TRUST_PROXY',
      'must be true, false, a hop count, or a comma list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal)',
    ]);
  }
  if (
    env.EXAMPLE_MODULES !== undefined &&
    !parseExampleModules(env.EXAMPLE_MODULES)
  ) {
    errors.push([
      'EXAMPLE_MODULES',
      `must be a comma list of ${EXAMPLE_MODULE_NAMES.join(', ')}`,
    ]);
  }
  if (env.GEMINI_LIVE_URL?.startsWith('ws://')) {
    const { hostname } = new URL(env.GEMINI_LIVE_URL);
    if (!isLoopbackHost(hostname)) {
      errors.push([
        'GEMINI_LIVE_URL',
        'must be wss:// (plain ws:// only for loopback: localhost, 127.0.0.1, ::1)',
      ]);
    }
  }
  if (
    env.TWILIO_API_BASE_URL?.startsWith('http://') &&
    !isLoopbackHost(new URL(env.TWILIO_API_BASE_URL).hostname)
  ) {
    // The auth token travels in every request's Authorization header.
    errors.push([
      'TWILIO_API_BASE_URL',
      'must be https:// (plain http:// only for loopback: localhost, 127.0.0.1, ::1)',
    ]);
  }
  const vertexPair = ['GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_LOCATION'] as const;
  const [project, location] = [
    env.GOOGLE_CLOUD_PROJECT,
    env.GOOGLE_CLOUD_LOCATION,
  ];
  if ((project === undefined) !== (location === undefined)) {
    const missing = project === undefined ? vertexPair[0] : vertexPair[1];
    const other = project === undefined ? vertexPair[1] : vertexPair[0];
    errors.push([missing, `must be set with ${other} (Vertex AI needs both)`]);
  }
  return errors.map(([key, message]) => `  - ${key}: ${message} ${shown(key)}`);
}
