import { AudioBridgeModule } from '@app/audio-bridge';
import {
  TWILIO_CALL_HANDLER,
  TwilioModule,
  TwilioModuleAsyncOptions,
  TwilioWebhookController,
} from '@app/twilio';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { CallSupervisor } from './lifecycle/call-supervisor.service';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from './media-gateway.options';
import { MediaStreamGateway } from './stream/media-stream.gateway';
import { StreamTokenService } from './stream/stream-token.service';

export interface MediaGatewayModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
  useFactory: (
    ...args: never[]
  ) => MediaGatewayOptions | Promise<MediaGatewayOptions>;
  /** Twilio's side (signatures, TwiML): the options TwilioModule is built with. */
  twilio: TwilioModuleAsyncOptions;
}

/**
 * Calls, from reservation to final record: `WS /media-stream`, one CallLifecycle per call (early
 * Gemini session, stream, bridge, timers, fault boundary), and the Twilio webhooks (the controller
 * from TwilioModule, mounted here with CallSupervisor as its TWILIO_CALL_HANDLER). Needs CallsService
 * (CallManagerModule, global) and the Gemini client (GeminiClientModule, global) from the app.
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
      controllers: [TwilioWebhookController],
      providers: [
        {
          provide: MEDIA_GATEWAY_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        StreamTokenService,
        CallSupervisor,
        { provide: TWILIO_CALL_HANDLER, useExisting: CallSupervisor },
        MediaStreamGateway,
      ],
      exports: [CallSupervisor, TwilioModule],
    };
  }
}
