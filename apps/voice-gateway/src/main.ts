import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, appConfig } from './config';
import { installProcessFaultHandlers } from './faults/process-faults';
import { configErrorLine, isConfigError } from './logging/config-error.log';
import { ScrubbingConsoleLogger } from './logging/scrubbing-console.logger';
import { scrubText, useSecrets } from './logging/secret-scrubber';
import { logStartupSummary } from './logging/startup-summary';

async function bootstrap(): Promise<void> {
  // Known before anything can log them: until pino takes over (useLogger), a failing module's error
  // (a PostgreSQL URL with its password) goes to this console logger, which scrubs them too.
  useSecrets(appConfig().secrets);
  const app = await NestFactory.create(AppModule, {
    bufferLogs: true,
    // A failed start reaches the catch below (not Nest's handler, which prints a stack and exits), and
    // buffered lines are flushed here, not there: a config error then comes out as one JSON line.
    abortOnError: false,
    autoFlushLogs: false,
    logger: new ScrubbingConsoleLogger(),
  });
  configureApp(app);
  app.flushLogs();
  installProcessFaultHandlers(app.get(PinoLogger));
  const { port, host } = app.get<AppConfig>(appConfig.KEY);
  await app.listen(port, host);
  logStartupSummary(app);
}

bootstrap().catch((err: unknown) => {
  if (isConfigError(err)) {
    // One JSON line listing each bad variable, no stack trace; the buffered boot lines are dropped.
    process.stdout.write(configErrorLine(err));
    process.exit(1);
  }
  new Logger('Bootstrap').error(
    scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err)),
  );
  // Logs still buffered (the app failed before pino took over) go out before the exit.
  Logger.flush();
  process.exit(1);
});
