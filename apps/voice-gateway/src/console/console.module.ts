import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express from 'express';
import { CONSOLE_CSP, CONSOLE_STATIC_DIR } from './console.constants';
import { ConsoleEventsController } from './console-events.controller';
import { ConsoleInfoController } from './console-info.controller';
import { ConsoleStreamService } from './console-stream.service';

/**
 * The operator console: static files at `GET /console/…`, the admin event stream at
 * `GET /console/events`, and `GET /console/info` (the model and profile names it shows). Needs
 * CallManagerModule (global), GeminiClientModule (global) and EventEmitterModule in the app.
 */
@Module({
  controllers: [ConsoleEventsController, ConsoleInfoController],
  providers: [ConsoleStreamService],
})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Runs after the routes are registered and before Nest's 404 handler, so /console/events wins. */
  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter.getInstance<express.Express>();
    app.use(
      '/console',
      express.static(CONSOLE_STATIC_DIR, {
        index: 'index.html',
        fallthrough: true,
        setHeaders: (res) => {
          res.setHeader('Content-Security-Policy', CONSOLE_CSP);
          res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
  }
}
