import { INestApplication } from '@nestjs/common';
import { LIVE_PROXY_PATH } from '@app/gemini-client';
import { WsAdapter } from '@nestjs/platform-ws';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { Application } from 'express';
import { AppConfig, appConfig } from './config';
import { SecretSafeExceptionFilter } from './logging/secret-safe-exception.filter';

/**
 * Nest's WsAdapter subscribes a JSON-parsing dispatcher to every socket, even for gateways with no
 * @SubscribeMessage handlers. The media stream handles its own frames, so this adapter skips that
 * dispatcher when there is nothing to dispatch to: each audio frame is parsed once, not twice.
 */
export class RawWsAdapter extends WsAdapter {
  /** Gateways that also take every path below theirs (the browser proxy: `/live/ws/…`). */
  static readonly prefixPaths = new Set([LIVE_PROXY_PATH]);

  /**
   * Routes upgrades like WsAdapter, but on the path with duplicate slashes collapsed (the @google/genai
   * SDK asks for `/live//ws/…` when its base URL ends in a slash) and with prefix matching for the
   * paths in `prefixPaths`. Anything else is refused, as before.
   */
  protected override ensureHttpServerExists(
    port: number,
    httpServer = http.createServer(),
  ): http.Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, httpServer);
    httpServer.on(
      'upgrade',
      (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        const pathname = (request.url ?? '/')
          .split('?')[0]
          .replace(/\/{2,}/g, '/')
          .replace(/(.)\/$/, '$1');
        const servers = (this.wsServersRegistry.get(port) ?? []) as Array<
          WebSocketServer & { path: string }
        >;
        const server = servers.find(
          (candidate) =>
            pathname === candidate.path ||
            (RawWsAdapter.prefixPaths.has(candidate.path) &&
              pathname.startsWith(`${candidate.path}/`)),
        );
        if (!server) {
          socket.destroy();
          return;
        }
        server.handleUpgrade(request, socket, head, (ws) =>
          server.emit('connection', ws, request),
        );
      },
    );
    return httpServer;
  }

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
  // Which proxies may name the client (X-Forwarded-For): rate limits key on req.ip, so behind a
  // proxy without this every caller would share the proxy's budget. Unset: nobody (the peer address).
  const { trustProxy } = app.get<AppConfig>(appConfig.KEY);
  const express = app.getHttpAdapter().getInstance() as Application;
  express.set('trust proxy', trustProxy);
  // Security headers on every HTTP response (an API: no scripts, frames or sniffing).
  app.use(helmet());
  // Error responses never carry a credential (an upstream message quoted in an HttpException).
  app.useGlobalFilters(new SecretSafeExceptionFilter(app.getHttpAdapter()));
  app.useWebSocketAdapter(new RawWsAdapter(app));
  app.enableShutdownHooks();
}
