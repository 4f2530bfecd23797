import { CALL_HANGUP } from '@app/call-manager';
import { DynamicModule, Module } from '@nestjs/common';
import {
  TWILIO_REST_OPTIONS,
  TwilioCallControl,
  TwilioRestOptions,
} from './twilio-call-control';

/**
 * Call control over Twilio's REST API, exported as CALL_HANGUP so the call manager can end calls at the
 * carrier without knowing Twilio. Kept apart from TwilioModule so the call manager can import it.
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
        { provide: CALL_HANGUP, useExisting: TwilioCallControl },
      ],
      exports: [CALL_HANGUP, TwilioCallControl],
    };
  }
}
