import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, appConfig } from './config';
import { installProcessFaultHandlers } from './faults/process-faults';
import { ScrubbingConsoleLogger } from './logging/scrubbing-console.logger';
import { scrubText, useSecrets } from './logging/secret-scrubber';

async function bootstrap(): Promise<void> {
  // Known before anything can log them: until pino takes over (useLogger), a failing module's error
  // (a PostgreSQL URL with its password) goes to this console logger, which scrubs them too.
  useSecrets(appConfig().secrets);
  const app = await NestFactory.create(AppModule, {
    bufferLogs: true,
    logger: new ScrubbingConsoleLogger(),
  });
  configureApp(app);
  installProcessFaultHandlers(app.get(PinoLogger));
  const { port, host } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
}

bootstrap().catch((err: unknown) => {
  new Logger('Bootstrap').error(
    scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err)),
  );
  // Logs still buffered (the app failed before pino took over) go out before the exit.
  Logger.flush();
  process.exit(1);
});
