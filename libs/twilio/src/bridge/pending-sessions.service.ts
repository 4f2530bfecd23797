import { CallsService } from '@app/call-manager';
import {
  AgentProfiles,
  GeminiLiveService,
  LiveSession,
} from '@app/gemini-client';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { TWILIO_OPTIONS, TwilioOptions } from '../twilio.options';

/** Who is calling whom (the webhook's From and To). */
export interface CallerInfo {
  from: string;
  to: string;
}

interface Pending {
  session: LiveSession;
  timer: NodeJS.Timeout;
}

/**
 * Gemini sessions opened when the webhook arrives, so their setup round trip overlaps Twilio connecting
 * the media stream. The stream takes its session by CallSid; one that never arrives is closed and the
 * call recorded as such.
 */
@Injectable()
export class PendingSessions implements OnModuleDestroy {
  private readonly logger = new Logger(PendingSessions.name);
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly gemini: GeminiLiveService,
    private readonly profiles: AgentProfiles,
    private readonly calls: CallsService,
    @Inject(TWILIO_OPTIONS) private readonly options: TwilioOptions,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Starts connecting a session for the call (no-op if one is already waiting). */
  open(callSid: string, caller: CallerInfo): void {
    if (this.pending.has(callSid)) return;
    const session = this.gemini.openForCall(this.profiles.resolve(caller.to));
    session.hold();
    const timer = setTimeout(
      () => void this.expire(callSid),
      this.options.streamTokenTtlMs,
    );
    timer.unref();
    this.pending.set(callSid, { session, timer });
  }

  /**
   * The waiting session for the call, or a fresh one (with the profile for the dialled number) if none
   * is waiting here — the webhook went to another instance — or it already closed.
   */
  take(callSid: string, caller: CallerInfo): LiveSession {
    const entry = this.pending.get(callSid);
    if (entry) {
      this.pending.delete(callSid);
      clearTimeout(entry.timer);
      if (entry.session.state !== 'closed') return entry.session;
    }
    return this.gemini.openForCall(this.profiles.resolve(caller.to));
  }

  /** Closes a waiting session (the call ended before its stream connected). */
  discard(callSid: string): void {
    const entry = this.pending.get(callSid);
    if (!entry) return;
    this.pending.delete(callSid);
    clearTimeout(entry.timer);
    entry.session.close(1000, 'call ended before its media stream connected');
  }

  onModuleDestroy(): void {
    for (const callSid of [...this.pending.keys()]) this.discard(callSid);
  }

  private async expire(callSid: string): Promise<void> {
    if (!this.pending.has(callSid)) return;
    this.discard(callSid);
    // Only a call still waiting for its stream is over; one already streaming keeps going.
    if ((await this.calls.get(callSid))?.status !== 'ringing') return;
    this.logger.warn({
      callSid,
      msg: 'Media stream never connected; call ended',
    });
    await this.calls.end(callSid, 'stream-never-started');
  }
}
