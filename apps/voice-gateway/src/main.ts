import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, appConfig } from './config';
import { installProcessFaultHandlers } from './faults/process-faults';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  configureApp(app);
  installProcessFaultHandlers(app.get(PinoLogger));
  const { port, host } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
}

bootstrap().catch((err: unknown) => {
  new Logger('Bootstrap').error(
    err instanceof Error ? (err.stack ?? err.message) : String(err),
  );
  process.exit(1);
});
