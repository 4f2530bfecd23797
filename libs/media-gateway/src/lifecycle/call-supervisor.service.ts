import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentProfiles,
  AgentToolRegistry,
  GeminiLiveService,
} from '@app/gemini-client';
import {
  CallStatusUpdate,
  IncomingCall,
  IncomingCallAnswer,
  TwilioCallHandler,
} from '@app/twilio';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';
import { StreamTokenService } from '../stream/stream-token.service';
import { CallLifecycle, CallParties } from './call-lifecycle';

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

  /** `POST /call-status`: records Twilio's status; a final one ends a call that is still live. */
  async callStatus(update: CallStatusUpdate): Promise<void> {
    await this.calls.recordStatus(
      update.callSid,
      update.status,
      update.durationSeconds,
    );
  }

  /**
   * The lifecycle a started stream belongs to: the call's own (reserved here by its webhook), or a new
   * one when the webhook was answered by another instance.
   */
  forStream(parties: CallParties): CallLifecycle {
    const existing = this.lifecycles.get(parties.callSid);
    if (existing) return existing;
    const lifecycle = this.create(parties);
    this.lifecycles.set(parties.callSid, lifecycle);
    return lifecycle;
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

  private create(parties: CallParties): CallLifecycle {
    return new CallLifecycle({
      parties,
      calls: this.calls,
      audio: this.audio,
      tools: this.tools,
      events: this.events,
      options: this.options,
      openSession: () =>
        this.gemini.openForCall(this.profiles.resolve(parties.to)),
      onEnded: (ended) => {
        if (this.lifecycles.get(ended.callSid) === ended)
          this.lifecycles.delete(ended.callSid);
      },
    });
  }
}
