import { CALL_HANGUP } from '@app/call-manager';
import { DynamicModule, Module } from '@nestjs/common';
import {
  TWILIO_REST_OPTIONS,
  TwilioCallControl,
  TwilioRestOptions,
} from './twilio-call-control';
import { TwilioOutboundDialer } from './twilio-outbound-dialer';

/**
 * Call control over Twilio's REST API, exported as CALL_HANGUP so the call manager can end calls at the
 * carrier without knowing Twilio, and TwilioOutboundDialer (outbound calls, `POST /calls`). Kept apart
 * from TwilioModule so the call manager can import it.
 */
@Module({})
export class TwilioRestModule {
  static forRootAsync(options: {
    inject?: Array<string | symbol>;
    useFactory: (...args: never[]) => TwilioRestOptions;
  }): DynamicModule {
    return {
      module: TwilioRestModule,
      providers: [
        {
          provide: TWILIO_REST_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        TwilioCallControl,
        TwilioOutboundDialer,
        { provide: CALL_HANGUP, useExisting: TwilioCallControl },
      ],
      exports: [CALL_HANGUP, TwilioCallControl, TwilioOutboundDialer],
    };
  }
}
