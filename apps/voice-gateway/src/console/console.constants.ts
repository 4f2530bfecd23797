import { join } from 'node:path';

/**
 * The static console (index.html, console.js, …). From `apps/voice-gateway/src/console` (ts-jest) and
 * from `dist/apps/voice-gateway/src/console` (built, with nest-cli copying `console/**` beside `src`)
 * this is `apps/voice-gateway/console` and `dist/apps/voice-gateway/console`.
 */
export const CONSOLE_STATIC_DIR = join(__dirname, '../../console');

/** A comment line on the event stream this often keeps idle proxies from closing it. */
export const CONSOLE_HEARTBEAT_MS = 15_000;

/**
 * The console's own policy: helmet's default, minus upgrade-insecure-requests (plain-HTTP dev), plus
 * `media-src 'self' blob:` so the call page can play a recording it fetched with the admin key.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
].join('; ');
