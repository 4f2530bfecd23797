import { AudioBridgeModule } from '@app/audio-bridge';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { PendingSessions } from './bridge/pending-sessions.service';
import { MediaStreamGateway } from './media-stream/media-stream.gateway';
import { StreamTokenService } from './media-stream/stream-token.service';
import { TwilioSignatureGuard } from './signature/twilio-signature.guard';
import { TwilioSignatureVerifier } from './signature/twilio-signature.verifier';
import { TWILIO_OPTIONS, TwilioOptions } from './twilio.options';
import { TwimlBuilder } from './twiml/twiml.builder';
import { TwilioWebhookController } from './webhooks/twilio-webhook.controller';

export interface TwilioModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
  useFactory: (...args: never[]) => TwilioOptions | Promise<TwilioOptions>;
}

/**
 * The phone side: webhooks (`/incoming-call`, `/call-status`) behind the signature guard, TwiML, the
 * `/media-stream` gateway and the per-call bridge to Gemini (REST call control: TwilioRestModule).
 * Needs CallsService (CallManagerModule) and GeminiLiveService (GeminiClientModule) from the app.
 */
@Module({})
export class TwilioModule {
  static forRootAsync(options: TwilioModuleAsyncOptions): DynamicModule {
    return {
      module: TwilioModule,
      imports: [AudioBridgeModule, ...(options.imports ?? [])],
      controllers: [TwilioWebhookController],
      providers: [
        {
          provide: TWILIO_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        TwilioSignatureVerifier,
        TwilioSignatureGuard,
        TwimlBuilder,
        StreamTokenService,
        PendingSessions,
        MediaStreamGateway,
      ],
      exports: [TwilioSignatureVerifier],
    };
  }
}
