import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentProfile,
  AgentProfiles,
  AgentToolRegistry,
  GeminiLiveService,
} from '@app/gemini-client';
import {
  AmdStatusUpdate,
  CallStatusUpdate,
  IncomingCall,
  IncomingCallAnswer,
  TransferDialAnswer,
  TransferDialUpdate,
  TwilioCallControl,
  TwilioCallHandler,
} from '@app/twilio';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { CallTransfers } from '../control/call-transfers.service';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';
import { outboundPlan } from '../outbound/outbound.options';
import { RecordingsService } from '../recording/recordings.service';
import { StreamTokenService } from '../stream/stream-token.service';
import { CallLifecycle } from './call-lifecycle';
import type { CallParties } from './call-lifecycle.types';

/** Final Twilio statuses of a call nobody answered (`POST /calls`). */
const NOT_ANSWERED: ReadonlySet<string> = new Set([
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);

/**
 * The calls this process owns, one CallLifecycle each, by CallSid. It answers Twilio's webhooks
 * (TWILIO_CALL_HANDLER: reserve → early session → stream parameters) and hands a started media stream
 * to its call's lifecycle (creating one when the webhook went to another instance). A lifecycle leaves
 * the map when it reaches `ended`.
 */
@Injectable()
export class CallSupervisor
  implements TwilioCallHandler, OnApplicationShutdown
{
  private readonly logger = new Logger(CallSupervisor.name);
  private readonly lifecycles = new Map<string, CallLifecycle>();

  constructor(
    private readonly calls: CallsService,
    private readonly gemini: GeminiLiveService,
    private readonly profiles: AgentProfiles,
    private readonly audio: AudioBridgeService,
    private readonly tools: AgentToolRegistry,
    private readonly events: CallEvents,
    private readonly tokens: StreamTokenService,
    @Inject(MEDIA_GATEWAY_OPTIONS)
    private readonly options: MediaGatewayOptions,
    private readonly recordings: RecordingsService,
    private readonly transfers: CallTransfers,
    /** Hangs outbound calls up at Twilio (voicemail left, fax); absent without TwilioRestModule. */
    @Optional() private readonly carrier?: TwilioCallControl,
  ) {}

  /** Calls owned here now (any state before `ended`). */
  get size(): number {
    return this.lifecycles.size;
  }

  /** The lifecycle of a call owned here. */
  get(callSid: string): CallLifecycle | undefined {
    return this.lifecycles.get(callSid);
  }

  /**
   * `POST /incoming-call`: reserves the call (refused politely at capacity or while draining), opens its
   * Gemini session early, and answers with the stream's parameters (a one-time token bound to the call).
   * A retried webhook reuses the call's lifecycle. Rejects only if the call cannot be reserved at all.
   */
  async incomingCall(call: IncomingCall): Promise<IncomingCallAnswer> {
    const { callSid } = call;
    // No Gemini credentials: the apology at once, with no reservation and no session to retry.
    const noAgent = this.gemini.disabledReason;
    if (noAgent) {
      this.logger.warn({
        callSid,
        msg: `${noAgent}: call refused with an apology`,
      });
      return { action: 'unavailable' };
    }
    const lifecycle = this.lifecycles.get(callSid) ?? this.create(call);
    const result = await this.calls.reserve(call, lifecycle);
    if (result === 'unavailable' || result === 'at-capacity') {
      this.logger.warn({
        callSid,
        msg:
          result === 'unavailable'
            ? 'Shutting down: call refused with an apology'
            : 'At capacity: call refused with an apology',
      });
      return { action: result === 'unavailable' ? 'unavailable' : 'busy' };
    }
    if (result === 'reserved') {
      this.lifecycles.set(callSid, lifecycle);
      lifecycle.openEarlySession();
    }
    this.logger.log({
      callSid,
      msg: result === 'duplicate' ? 'Webhook retried' : 'Incoming call',
    });
    return {
      action: 'connect',
      parameters: {
        callSid,
        from: call.from,
        to: call.to,
        token: this.tokens.issue(callSid),
      },
    };
  }

  /**
   * `POST /call-status`: records Twilio's status; a final one ends a call that is still live. An
   * outbound call placed here that nobody answered (busy, no-answer, failed, canceled) ends with
   * `not-answered`.
   */
  async callStatus(update: CallStatusUpdate): Promise<void> {
    const placed = this.lifecycles.get(update.callSid);
    if (
      placed?.parties.dialId !== undefined &&
      placed.state === 'reserved' &&
      NOT_ANSWERED.has(update.status)
    )
      placed.boundary.track('call-status', placed.end('not-answered'));
    await this.calls.recordStatus(
      update.callSid,
      update.status,
      update.durationSeconds,
    );
  }

  /**
   * `POST /amd-status`: answering-machine detection's verdict on an outbound call, handed to its
   * lifecycle (inside its fault boundary) and recorded. A call held by another instance only gets the
   * record: that instance takes the callee for a person once its AMD wait runs out.
   */
  async amdStatus(update: AmdStatusUpdate): Promise<void> {
    const call = this.lifecycles.get(update.callSid);
    call?.boundary.run('amd-status', () => call.answeredBy(update.answeredBy));
    await this.calls.recordAnsweredBy(update.callSid, update.answeredBy);
  }

  /**
   * `POST /transfer-whisper`: the person a transfer dialled answered. The call held here is theirs
   * now (its transfer recorded answered, the call ended `transferred`); one held by another instance
   * is ended there with that reason (no hang-up at Twilio: the call goes on).
   */
  async transferAnswered(callSid: string): Promise<void> {
    const call = this.lifecycles.get(callSid);
    if (call)
      call.boundary.run('transfer-answered', () => call.control.answered());
    else await this.calls.requestEnd(callSid, 'transferred');
  }

  /**
   * `POST /transfer-status` (the transfer's `<Dial action>`): nobody answered → the caller goes back
   * to a new agent session on a new stream (the call held here); otherwise hang up, with Twilio's
   * DialCallStatus kept on the record of a transfer that was answered.
   */
  async transferEnded(update: TransferDialUpdate): Promise<TransferDialAnswer> {
    const { callSid, dialStatus } = update;
    const call = this.lifecycles.get(callSid);
    if (call?.state === 'transferring') {
      const back = call.boundary.run(
        'transfer-ended',
        () => call.control.dialEnded(dialStatus) || call.control.awaitingReturn,
      );
      if (back) {
        call.awaitReturn();
        return {
          action: 'connect',
          parameters: this.transfers.returnStream(call.parties),
        };
      }
      return { action: 'hangup' };
    }
    await this.keepDialStatus(callSid, dialStatus);
    return { action: 'hangup' };
  }

  /**
   * `POST /calls` placed a call and Twilio named it: its lifecycle, owned here from now on (reserve
   * it with this lifecycle as its control, then `openEarlySession()`).
   */
  adoptOutbound(parties: CallParties & { dialId: string }): CallLifecycle {
    return this.own(parties);
  }

  /**
   * The lifecycle a started stream belongs to: the call's own (reserved here by its webhook or by
   * `POST /calls`), or a new one when that went to another instance. Undefined when the stream's dial
   * id is not its call's (a token for one outbound call used on another).
   */
  forStream(parties: CallParties): CallLifecycle | undefined {
    const existing = this.lifecycles.get(parties.callSid);
    if (existing)
      return existing.parties.dialId === parties.dialId ? existing : undefined;
    return this.own(parties);
  }

  /**
   * Shutdown safety net: the call manager drains and ends calls before Nest closes the servers
   * (beforeApplicationShutdown); anything still owned here afterwards is ended now.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.lifecycles.values()].map((lifecycle) =>
        lifecycle.end('shutdown'),
      ),
    );
  }

  private own(parties: CallParties): CallLifecycle {
    const lifecycle = this.create(parties);
    this.lifecycles.set(parties.callSid, lifecycle);
    return lifecycle;
  }

  /** Inbound: the dialled number's profile; outbound: the profile `POST /calls` named. */
  private profileFor(parties: CallParties): AgentProfile {
    if (parties.dialId === undefined) return this.profiles.resolve(parties.to);
    return this.profiles.byName(parties.profile) ?? this.profiles.resolve('');
  }

  /** A finished call's answered transfer gets Twilio's DialCallStatus (completed) on its record. */
  private async keepDialStatus(
    callSid: string,
    dialStatus: string,
  ): Promise<void> {
    const record = await this.calls.get(callSid).catch(() => undefined);
    const transfers = record?.transfers ?? [];
    const last = transfers[transfers.length - 1];
    if (!last || last.state !== 'answered' || last.dialStatus) {
      this.logger.warn({
        callSid,
        dialStatus,
        msg: 'Transfer dial ended for a call not transferring here; hanging up',
      });
      return;
    }
    last.dialStatus = dialStatus;
    await this.calls.recordTransfers(callSid, transfers);
  }

  private create(parties: CallParties): CallLifecycle {
    const outbound = parties.dialId !== undefined;
    const profile = this.profileFor(parties);
    return new CallLifecycle({
      parties,
      calls: this.calls,
      audio: this.audio,
      tools: this.tools,
      events: this.events,
      options: this.options,
      // Outbound: no greeting on connect; OutboundAnswer asks for it once a person has answered.
      // A caller back from a failed transfer: no greeting either, the agent is told why instead.
      openSession: (firstPrompt) => {
        const quiet = outbound || firstPrompt !== undefined;
        const session = this.gemini.openForCall({
          ...profile,
          ...(quiet ? { greeting: undefined } : {}),
        });
        if (firstPrompt) session.sendText(firstPrompt);
        return session;
      },
      startRecording: () =>
        this.recordings.start(parties.callSid, profile.recording),
      control: this.transfers.planFor(parties.callSid, profile),
      onEnded: (ended) => {
        if (this.lifecycles.get(ended.callSid) === ended)
          this.lifecycles.delete(ended.callSid);
      },
      outbound: outbound
        ? outboundPlan(
            profile,
            this.options.outbound,
            this.options.streamTokenTtlMs,
            () => this.carrier?.hangUp(parties.callSid) ?? Promise.resolve(),
          )
        : undefined,
    });
  }
}
