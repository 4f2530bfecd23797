import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const callsConfig = registerAs('calls', () => {
  const env = parseEnv(process.env);
  return {
    /** Bearer token for the admin API; unset disables it. */
    adminApiKey: env.ADMIN_API_KEY,
    maxConcurrentCalls: env.MAX_CONCURRENT_CALLS,
    maxCallDurationMs: env.MAX_CALL_DURATION_SECONDS * 1000,
    /** Stall watchdog: agent silence after the caller's turn before it acts (ms). */
    agentStallTimeoutMs: env.AGENT_STALL_TIMEOUT_MS,
    /** Caller audio per message to Gemini (ms): 20, or 40… to trade latency for fewer writes. */
    upstreamFrameMs: env.UPSTREAM_FRAME_MS,
    /** After SIGTERM, live calls may go on this long before they are ended. */
    drainTimeoutMs: env.DRAIN_TIMEOUT_SECONDS * 1000,
    /** `memory:` keeps records in memory only (benchmarks, throwaway runs). */
    databaseUrl: env.DATABASE_URL === 'memory:' ? undefined : env.DATABASE_URL,
    /** Unset: in-memory call registry (single instance). */
    redisUrl: env.REDIS_URL,
    /** This instance's name in the shared registry; default hostname-pid-random. */
    instanceId: env.INSTANCE_ID,
    /** Example notifier (src/examples/call-summary): POSTs each ended call here when set. */
    summaryWebhookUrl: env.CALL_SUMMARY_WEBHOOK_URL,
    summaryWebhookSecret: env.CALL_SUMMARY_WEBHOOK_SECRET,
  };
});

export type CallsConfig = ConfigType<typeof callsConfig>;
