import { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';

/**
 * Nest's WsAdapter subscribes a JSON-parsing dispatcher to every socket, even for gateways with no
 * @SubscribeMessage handlers. The media stream handles its own frames, so this adapter skips that
 * dispatcher when there is nothing to dispatch to: each audio frame is parsed once, not twice.
 */
export class RawWsAdapter extends WsAdapter {
  override bindMessageHandlers(
    ...args: Parameters<WsAdapter['bindMessageHandlers']>
  ): void {
    const [, handlers] = args;
    if (handlers.length === 0) return;
    super.bindMessageHandlers(...args);
  }
}

/** What main.ts and the end-to-end tests both apply to the app. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  // Security headers on every HTTP response (an API: no scripts, frames or sniffing).
  app.use(helmet());
  app.useWebSocketAdapter(new RawWsAdapter(app));
  app.enableShutdownHooks();
}
