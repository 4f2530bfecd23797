import { AdminGuard } from '@app/call-manager';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONSOLE_HEARTBEAT_MS } from './console.constants';
import { ConsoleStreamService } from './console-stream.service';

/**
 * `GET /console/events` (admin key): a text/event-stream of `calls` (the live list, on connect and on
 * every call start and end) and `transcript` (`{callSid, entry}`) events. The console reads it with
 * fetch(), since EventSource cannot send an Authorization header.
 */
@Controller('console')
@UseGuards(AdminGuard)
export class ConsoleEventsController {
  constructor(private readonly stream: ConsoleStreamService) {}

  @Get('events')
  async events(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no'); // no buffering in nginx-like proxies
    res.flushHeaders();
    res.write(': connected\n\n');

    const heartbeat = setInterval(
      () => res.write(': heartbeat\n\n'),
      CONSOLE_HEARTBEAT_MS,
    );
    let unsubscribe: (() => void) | undefined;
    let closed = false;
    const cleanUp = () => {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe?.();
    };
    req.on('close', cleanUp);
    try {
      unsubscribe = await this.stream.subscribe({
        send: ({ type, data }) =>
          res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
        end: () => res.end(),
      });
    } catch {
      cleanUp();
      res.end();
      return;
    }
    if (closed) unsubscribe();
  }
}
