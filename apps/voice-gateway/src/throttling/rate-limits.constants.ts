import type { ThrottlerModuleOptions } from '@nestjs/throttler';

/** Every limit counts requests in a sliding window of this length (ms), per client address. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The per-client limit on every route that is not a Twilio webhook: the admin API (`/calls…`,
 * `/end-call`), `POST /live/tokens`, `GET /console/events`. Named `default` so that a plain
 * `@SkipThrottle()` (health, metrics) skips it.
 */
export const CLIENT_THROTTLER = 'default';

/** Requests per client, per route, per window on those routes (failed admin auth included). */
export const CLIENT_LIMIT = 120;

/**
 * The per-client budget of failed signature checks on Twilio's webhook routes (`@TwilioSigned()`),
 * shared by all of them. Correctly signed requests never count and are never refused.
 */
export const TWILIO_FAILURE_THROTTLER = 'twilio-failures';

/**
 * Failed signature checks per client per window before 429. Twilio itself never fails one, so every
 * failure is a forgery or a misconfiguration (wrong WEBHOOK_BASE_URL or auth token); 5 a second on
 * average leaves the 403 reasons readable in Twilio's debugger while a flood gets 429s.
 */
export const TWILIO_FAILURE_LIMIT = 300;

/**
 * `ThrottlerModule.forRoot()` options for RateLimitGuard. The storage is @nestjs/throttler's in-memory
 * one, so limits are per instance. A throttler's `blockDuration` defaults to its `ttl`: over the limit,
 * a client is refused for one window.
 */
export const RATE_LIMITS: ThrottlerModuleOptions = {
  throttlers: [
    { name: CLIENT_THROTTLER, ttl: RATE_LIMIT_WINDOW_MS, limit: CLIENT_LIMIT },
    {
      name: TWILIO_FAILURE_THROTTLER,
      ttl: RATE_LIMIT_WINDOW_MS,
      limit: TWILIO_FAILURE_LIMIT,
      // One budget per client across every Twilio route, not one per route.
      generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    },
  ],
};
