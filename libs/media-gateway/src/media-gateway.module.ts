import { AudioBridgeModule, AudioBridgeService } from '@app/audio-bridge';
import {
  TWILIO_CALL_HANDLER,
  TwilioModule,
  TwilioModuleAsyncOptions,
  TwilioWebhookController,
} from '@app/twilio';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { CallControlTools } from './control/call-control.tools';
import { CallTransfers } from './control/call-transfers.service';
import { CallSupervisor } from './lifecycle/call-supervisor.service';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from './media-gateway.options';
import { RecordingController } from './recording/recording.controller';
import { RecordingRetention } from './recording/recording-retention.service';
import {
  DEFAULT_RECORDING_OPTIONS,
  fileRecordingSinks,
  RECORDING_OPTIONS,
  RECORDING_SINK_FACTORY,
  RecordingOptions,
} from './recording/recording.options';
import { RecordingsService } from './recording/recordings.service';
import { OutboundCallsController } from './outbound/outbound-calls.controller';
import { OutboundCalls } from './outbound/outbound-calls.service';
import { MediaStreamGateway } from './stream/media-stream.gateway';
import { StreamTokenService } from './stream/stream-token.service';

export interface MediaGatewayModuleAsyncOptions {
  /** Modules the factories need; TwilioRestModule among them for outbound calls (`POST /calls`). */
  imports?: ModuleMetadata['imports'];
  inject?: Array<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
  useFactory: (
    ...args: never[]
  ) => MediaGatewayOptions | Promise<MediaGatewayOptions>;
  /** Twilio's side (signatures, TwiML): the options TwilioModule is built with. */
  twilio: TwilioModuleAsyncOptions;
  /** Call recordings (RecordingOptions); unset: off, `data/recordings`, 30 days. */
  recording?: {
    inject?: MediaGatewayModuleAsyncOptions['inject'];
    useFactory: (
      ...args: never[]
    ) => RecordingOptions | Promise<RecordingOptions>;
  };
}

/**
 * Calls, from reservation to final record: `WS /media-stream`, one CallLifecycle per call (early
 * Gemini session, stream, bridge, timers, fault boundary), and the Twilio webhooks (the controller
 * from TwilioModule, mounted here with CallSupervisor as its TWILIO_CALL_HANDLER), and call recordings
 * (RecordingsService, retention, `GET /calls/:callSid/recording`). Needs CallsService and AdminGuard
 * (CallManagerModule, global) and the Gemini client (GeminiClientModule, global) from the app.
 * Outbound calls (`POST /calls`, OutboundCalls) also need TwilioRestModule in `imports`.
 */
@Module({})
export class MediaGatewayModule {
  static forRootAsync(options: MediaGatewayModuleAsyncOptions): DynamicModule {
    return {
      module: MediaGatewayModule,
      imports: [
        AudioBridgeModule,
        TwilioModule.forRootAsync(options.twilio),
        ...(options.imports ?? []),
      ],
      controllers: [
        TwilioWebhookController,
        RecordingController,
        OutboundCallsController,
      ],
      providers: [
        {
          provide: MEDIA_GATEWAY_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        // The calls' pipelines, built with the configured upstream frame (UPSTREAM_FRAME_MS).
        {
          provide: AudioBridgeService,
          inject: [MEDIA_GATEWAY_OPTIONS],
          useFactory: (gateway: MediaGatewayOptions) =>
            new AudioBridgeService({
              upstreamFrameMs: gateway.upstreamFrameMs,
            }),
        },
        {
          provide: RECORDING_OPTIONS,
          inject: options.recording?.inject ?? [],
          useFactory:
            options.recording?.useFactory ?? (() => DEFAULT_RECORDING_OPTIONS),
        },
        { provide: RECORDING_SINK_FACTORY, useValue: fileRecordingSinks },
        RecordingsService,
        RecordingRetention,
        StreamTokenService,
        CallSupervisor,
        CallTransfers,
        CallControlTools,
        { provide: TWILIO_CALL_HANDLER, useExisting: CallSupervisor },
        OutboundCalls,
        MediaStreamGateway,
      ],
      exports: [CallSupervisor, RecordingsService, TwilioModule],
    };
  }
}
