import { ConditionalModule } from '@nestjs/config';
import type { ModuleMetadata } from '@nestjs/common';
import {
  type ExampleModuleName,
  callsConfig,
  CallsConfig,
  parseExampleModules,
} from '../config';
import { CallSummaryModule } from './call-summary';
import { OpeningHoursModule } from './opening-hours';

type Import = NonNullable<ModuleMetadata['imports']>[number];

/** True when `EXAMPLE_MODULES` (validated at boot) names `name`. */
function enabled(name: ExampleModuleName) {
  return (env: NodeJS.ProcessEnv): boolean =>
    parseExampleModules(env.EXAMPLE_MODULES ?? '')?.includes(name) ?? false;
}

/**
 * The bundled examples (see README.md beside this file), each loaded only when `EXAMPLE_MODULES`
 * names it: with it unset no example tool is declared to Gemini and no example listener runs.
 * `ConditionalModule` evaluates after ConfigModule has loaded `.env`.
 */
export const EXAMPLE_MODULES: Import[] = [
  ConditionalModule.registerWhen(
    OpeningHoursModule,
    enabled('opening-hours'),
    { debug: false },
  ),
  ConditionalModule.registerWhen(
    CallSummaryModule.forRootAsync({
      inject: [callsConfig.KEY],
      useFactory: (calls: CallsConfig) => ({
        url: calls.summaryWebhookUrl,
        secret: calls.summaryWebhookSecret,
      }),
    }),
    enabled('call-summary'),
    { debug: false },
  ),
];
