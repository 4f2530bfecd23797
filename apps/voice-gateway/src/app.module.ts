import { AudioBridgeModule } from '@app/audio-bridge';
import { CallManagerModule } from '@app/call-manager';
import { GeminiClientModule } from '@app/gemini-client';
import { MediaGatewayModule } from '@app/media-gateway';
import { TwilioRestModule } from '@app/twilio';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import {
  AppConfig,
  appConfig,
  CallsConfig,
  callsConfig,
  GeminiConfig,
  geminiConfig,
  RecordingConfig,
  recordingConfig,
  tracingConfig,
  TwilioConfig,
  twilioConfig,
  validateEnv,
} from './config';
import { ConsoleModule } from './console/console.module';
import { EXAMPLE_MODULES } from './examples/examples.module';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { LiveTokensController } from './live/live-tokens.controller';
import { MetricsController } from './metrics/metrics.controller';
import { loggerOptions } from './logging/logger.options';
import { RateLimitGuard } from './throttling/rate-limit.guard';
import { RATE_LIMITS } from './throttling/rate-limits.constants';
import { TracingModule } from './tracing';

/** A one-time stream token (and the Gemini session opened early) waits this long for the stream. */
const STREAM_TOKEN_TTL_MS = 30_000;
/** A media stream must send a valid `start` this soon after connecting. */
const STREAM_START_TIMEOUT_MS = 10_000;
/** Twilio sends media every 20 ms, silence included: this long without any means the stream is gone. */
const MEDIA_IDLE_TIMEOUT_MS = 15_000;

/** Twilio's REST API (hang-ups, outbound calls): one module, shared by the call manager and the gateway. */
const TWILIO_REST = TwilioRestModule.forRootAsync({
  inject: [twilioConfig.KEY],
  useFactory: (twilio: TwilioConfig) => ({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    apiBaseUrl: twilio.apiBaseUrl,
  }),
});

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: [
        appConfig,
        twilioConfig,
        geminiConfig,
        callsConfig,
        recordingConfig,
        tracingConfig,
      ],
      validate: validateEnv,
    }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig) => loggerOptions(app),
    }),
    // Per client address (req.ip, see TRUST_PROXY): the admin and token routes get a per-client
    // limit; Twilio's routes only a budget of failed signature checks, so a correctly signed webhook
    // is never refused. Health and metrics skip it. See throttling/rate-limit.guard.ts.
    ThrottlerModule.forRoot(RATE_LIMITS),
    // Call events (call.started, call.ended, transcript.appended, …) for teams' listeners.
    EventEmitterModule.forRoot(),
    AudioBridgeModule,
    GeminiClientModule.forRootAsync({
      inject: [geminiConfig.KEY, callsConfig.KEY],
      useFactory: (gemini: GeminiConfig, calls: CallsConfig) => ({
        ...gemini,
        // Browser tokens are signed with a key every instance derives from the admin key.
        proxyTokenSecret: calls.adminApiKey,
        // With several instances, a browser token is spent once across all of them.
        redisUrl: calls.redisUrl,
      }),
    }),
    CallManagerModule.forRootAsync({
      imports: [TWILIO_REST],
      inject: [callsConfig.KEY],
      useFactory: (calls: CallsConfig) => ({
        adminApiKey: calls.adminApiKey,
        maxConcurrentCalls: calls.maxConcurrentCalls,
        databaseUrl: calls.databaseUrl,
        redisUrl: calls.redisUrl,
        instanceId: calls.instanceId,
        drainTimeoutMs: calls.drainTimeoutMs,
      }),
    }),
    MediaGatewayModule.forRootAsync({
      // POST /calls places calls over Twilio's REST API.
      imports: [TWILIO_REST],
      inject: [twilioConfig.KEY, callsConfig.KEY],
      useFactory: (twilio: TwilioConfig, calls: CallsConfig) => ({
        authToken: twilio.authToken,
        maxCallDurationMs: calls.maxCallDurationMs,
        agentStallTimeoutMs: calls.agentStallTimeoutMs,
        upstreamFrameMs: calls.upstreamFrameMs,
        streamTokenTtlMs: STREAM_TOKEN_TTL_MS,
        streamStartTimeoutMs: STREAM_START_TIMEOUT_MS,
        idleTimeoutMs: MEDIA_IDLE_TIMEOUT_MS,
        // POST /calls without `from` calls from TWILIO_PHONE_NUMBER.
        outbound: { callerId: twilio.phoneNumber },
      }),
      twilio: {
        inject: [twilioConfig.KEY],
        useFactory: (twilio: TwilioConfig) => ({
          webhookBaseUrl: twilio.webhookBaseUrl,
          accountSid: twilio.accountSid,
          authToken: twilio.authToken,
        }),
      },
      // Call recordings: RECORDING (deployment default; profiles may override), RECORDINGS_DIR,
      // RECORDING_RETENTION_DAYS. GET /calls/:callSid/recording is mounted with them.
      recording: {
        inject: [recordingConfig.KEY],
        useFactory: (recording: RecordingConfig) => recording,
      },
    }),
    // The operator console (GET /console) and its event stream.
    ConsoleModule,
    // Call spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/tracing); otherwise nothing.
    TracingModule,
    // The example extension modules (src/examples/README.md), only those EXAMPLE_MODULES names.
    ...EXAMPLE_MODULES,
  ],
  // Health lives here: it reads the Twilio module's exports, which only the importer of that dynamic
  // module can see.
  controllers: [HealthController, MetricsController, LiveTokensController],
  // The rate limiter lives here too: it asks the Twilio module's verifier about signed routes.
  providers: [HealthService, { provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class AppModule {}
