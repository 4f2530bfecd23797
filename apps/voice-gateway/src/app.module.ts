import { AudioBridgeModule } from '@app/audio-bridge';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import {
  AppConfig,
  appConfig,
  callsConfig,
  geminiConfig,
  twilioConfig,
  validateEnv,
} from './config';
import { HealthModule } from './health/health.module';
import { loggerOptions } from './logging/logger.options';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: [appConfig, twilioConfig, geminiConfig, callsConfig],
      validate: validateEnv,
    }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig) => loggerOptions(app),
    }),
    HealthModule,
    AudioBridgeModule,
  ],
})
export class AppModule {}
