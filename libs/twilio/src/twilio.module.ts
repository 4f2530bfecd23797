import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { TwilioSignatureGuard } from './signature/twilio-signature.guard';
import { TwilioSignatureVerifier } from './signature/twilio-signature.verifier';
import { TWILIO_OPTIONS, TwilioOptions } from './twilio.options';
import { TwimlBuilder } from './twiml/twiml.builder';

export interface TwilioModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
  useFactory: (...args: never[]) => TwilioOptions | Promise<TwilioOptions>;
}

/**
 * Twilio's side only: signature checks (webhooks and the stream handshake) and TwiML. The webhook
 * controller (TwilioWebhookController) is mounted by the module that provides TWILIO_CALL_HANDLER
 * (MediaGatewayModule), so this library never depends on what handles calls. REST call control:
 * TwilioRestModule.
 */
@Module({})
export class TwilioModule {
  static forRootAsync(options: TwilioModuleAsyncOptions): DynamicModule {
    return {
      module: TwilioModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: TWILIO_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        TwilioSignatureVerifier,
        TwilioSignatureGuard,
        TwimlBuilder,
      ],
      exports: [
        TWILIO_OPTIONS,
        TwilioSignatureVerifier,
        TwilioSignatureGuard,
        TwimlBuilder,
      ],
    };
  }
}
