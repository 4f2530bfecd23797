import {
  type CallEventMap,
  CallsService,
  type LiveCallSummary,
  type TranscriptEntry,
} from '@app/call-manager';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';

/** What the console's event stream carries. */
export type ConsoleEvent =
  | { type: 'calls'; data: { calls: LiveCallSummary[] } }
  | { type: 'transcript'; data: { callSid: string; entry: TranscriptEntry } };

/** One connected console: receives events, and is told to finish when the app shuts down. */
export interface ConsoleSubscriber {
  send(event: ConsoleEvent): void;
  end(): void;
}

/**
 * Fans call events out to the connected operator consoles. The live call list is re-read from the
 * registry on every call.started / call.ended (one read per event, not per console), in event order.
 */
@Injectable()
export class ConsoleStreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ConsoleStreamService.name);
  private readonly subscribers = new Set<ConsoleSubscriber>();
  /** Serialises list reads so consoles never see an older list after a newer one. */
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly calls: CallsService) {}

  /** Adds a console and sends it the live list; returns the function that removes it. */
  async subscribe(subscriber: ConsoleSubscriber): Promise<() => void> {
    this.subscribers.add(subscriber);
    const unsubscribe = () => void this.subscribers.delete(subscriber);
    try {
      subscriber.send({
        type: 'calls',
        data: { calls: await this.calls.list() },
      });
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  get size(): number {
    return this.subscribers.size;
  }

  @OnEvent('call.started')
  onCallStarted(): Promise<void> {
    return this.refreshCalls();
  }

  @OnEvent('call.ended')
  onCallEnded(): Promise<void> {
    return this.refreshCalls();
  }

  @OnEvent('transcript.appended')
  onTranscript({ callSid, entry }: CallEventMap['transcript.appended']): void {
    this.broadcast({ type: 'transcript', data: { callSid, entry } });
  }

  /** Open event streams would keep the HTTP server from closing. */
  beforeApplicationShutdown(): void {
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  private refreshCalls(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      if (this.subscribers.size === 0) return;
      try {
        this.broadcast({
          type: 'calls',
          data: { calls: await this.calls.list() },
        });
      } catch (err) {
        this.logger.warn({
          err: err instanceof Error ? err.message : String(err),
          msg: 'Console could not read the live call list',
        });
      }
    });
    return this.refreshing;
  }

  private broadcast(event: ConsoleEvent): void {
    for (const subscriber of this.subscribers) subscriber.send(event);
  }
}
