import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const appConfig = registerAs('app', () => {
  const env = parseEnv(process.env);
  return {
    port: env.PORT,
    host: '0.0.0.0',
    logLevel: env.LOG_LEVEL,
    nodeEnv: env.NODE_ENV,
  };
});

export type AppConfig = ConfigType<typeof appConfig>;
