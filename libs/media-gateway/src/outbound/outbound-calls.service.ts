import {
  CallsService,
  PendingCallSlot,
  ReserveResult,
} from '@app/call-manager';
import { AgentProfiles } from '@app/gemini-client';
import {
  TWILIO_OPTIONS,
  TwilioCallControl,
  TwilioDialError,
  TwilioOptions,
  TwilioOutboundDialer,
  TwilioSignatureVerifier,
  TwimlBuilder,
} from '@app/twilio';
import {
  BadGatewayException,
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CallSupervisor } from '../lifecycle/call-supervisor.service';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';
import { StreamTokenService } from '../stream/stream-token.service';
import type { DialOutDto } from './dial-out.dto';
import { outboundSettings } from './outbound.options';

/** Twilio's callbacks for outbound calls, under WEBHOOK_BASE_URL (TwilioWebhookController). */
const STATUS_CALLBACK_PATH = '/call-status';
const AMD_STATUS_CALLBACK_PATH = '/amd-status';

/**
 * `POST /calls`: places an outbound call. In order, each failure answered with its reason and nothing
 * left behind:
 * 1. the service can dial at all (Twilio credentials, WEBHOOK_BASE_URL), else 503;
 * 2. the profile exists (by `name`), else 400; there is a number to call from (`from`, else
 *    TWILIO_PHONE_NUMBER), else 400;
 * 3. a slot of capacity (MAX_CONCURRENT_CALLS, shared with inbound calls) is held, else 503 and no
 *    REST create;
 * 4. Twilio REST create (TwilioOutboundDialer) with the stream TwiML, the same `<Connect><Stream>` as
 *    inbound with `<Parameter>`s `dialId`, `from`, `to`, `profile` and a one-time `token` bound to the
 *    dial (the CallSid does not exist yet); a refusal frees the slot and answers 400/502/503;
 * 5. the call is reserved under its CallSid in the slot's place, owned by a CallLifecycle that waits
 *    for answering-machine detection (OutboundAnswer), with its Gemini session opened early.
 */
@Injectable()
export class OutboundCalls {
  private readonly logger = new Logger(OutboundCalls.name);

  constructor(
    private readonly calls: CallsService,
    private readonly profiles: AgentProfiles,
    private readonly supervisor: CallSupervisor,
    private readonly tokens: StreamTokenService,
    private readonly twiml: TwimlBuilder,
    private readonly verifier: TwilioSignatureVerifier,
    private readonly dialer: TwilioOutboundDialer,
    private readonly carrier: TwilioCallControl,
    @Inject(TWILIO_OPTIONS) private readonly twilio: TwilioOptions,
    @Inject(MEDIA_GATEWAY_OPTIONS)
    private readonly options: MediaGatewayOptions,
  ) {}

  /** Places the call; resolves its CallSid. Rejects with an HttpException carrying the reason. */
  async dial(request: DialOutDto): Promise<{ callSid: string }> {
    const profile = this.profiles.byName(request.profile);
    if (!profile) {
      throw new BadRequestException(
        `Unknown profile "${request.profile}" (profiles: ${this.profiles.names.join(', ')})`,
      );
    }
    const settings = outboundSettings(this.options.outbound);
    const from = request.from ?? settings.callerId;
    if (!from) {
      throw new BadRequestException(
        'No number to call from: pass "from" or set TWILIO_PHONE_NUMBER',
      );
    }
    const disabled =
      this.dialer.disabledReason ??
      this.verifier.disabledReason?.replace(
        'Twilio endpoints',
        'Outbound calls',
      );
    if (disabled) throw new ServiceUnavailableException(disabled);
    const { to } = request;
    const slot = await this.calls.holdSlot({ from, to, direction: 'outbound' });
    if (slot === 'unavailable')
      throw new ServiceUnavailableException('Shutting down: no new calls');
    if (slot === 'at-capacity') {
      throw new ServiceUnavailableException(
        'At capacity: MAX_CONCURRENT_CALLS calls are live; try again later',
      );
    }
    const dialId = randomBytes(16).toString('base64url');
    const callSid = await this.create(slot, {
      dialId,
      from,
      to,
      profile: profile.name,
      ringSeconds: settings.ringTimeoutSeconds,
    });
    await this.adopt(slot, {
      callSid,
      from,
      to,
      dialId,
      profile: profile.name,
    });
    this.logger.log({
      callSid,
      to,
      profile: profile.name,
      msg: 'Outbound call placed',
    });
    return { callSid };
  }

  /** The REST create; a refusal gives the slot back and becomes an HttpException. */
  private async create(
    slot: PendingCallSlot,
    call: {
      dialId: string;
      from: string;
      to: string;
      profile: string;
      ringSeconds: number;
    },
  ): Promise<string> {
    const base = this.twilio.webhookBaseUrl ?? '';
    // The token must outlive the ringing and the stream's connect.
    const ttlMs = call.ringSeconds * 1000 + this.options.streamTokenTtlMs;
    const twiml = this.twiml.connectStream(this.verifier.streamUrl, {
      dialId: call.dialId,
      from: call.from,
      to: call.to,
      profile: call.profile,
      token: this.tokens.issueForDial(call.dialId, ttlMs),
    });
    try {
      const created = await this.dialer.dial({
        to: call.to,
        from: call.from,
        twiml,
        statusCallback: base + STATUS_CALLBACK_PATH,
        amdStatusCallback: base + AMD_STATUS_CALLBACK_PATH,
        ringTimeoutSeconds: call.ringSeconds,
      });
      return created.callSid;
    } catch (err) {
      await slot.release();
      throw toHttpError(err);
    }
  }

  /**
   * Reserves the placed call in the slot's place, owned by its lifecycle, and opens its Gemini session
   * early. If it cannot be reserved (the registry or store failed), the call is hung up at Twilio.
   */
  private async adopt(
    slot: PendingCallSlot,
    parties: {
      callSid: string;
      from: string;
      to: string;
      dialId: string;
      profile: string;
    },
  ): Promise<void> {
    const lifecycle = this.supervisor.adoptOutbound(parties);
    let result: ReserveResult | 'error';
    try {
      result = await slot.claim(
        { ...parties, direction: 'outbound' },
        lifecycle,
      );
    } catch (err) {
      this.logger.error({
        callSid: parties.callSid,
        err: err instanceof Error ? err.message : String(err),
        msg: 'Could not reserve a placed call',
      });
      result = 'error';
    }
    if (result === 'reserved') {
      lifecycle.openEarlySession();
      return;
    }
    await lifecycle.end('error');
    await this.carrier.hangUp(parties.callSid);
    throw new ServiceUnavailableException(
      `The call ${parties.callSid} was placed but could not be registered (${result}); it was hung up`,
    );
  }
}

/** A TwilioDialError as the HTTP answer: Twilio's reason (credentials scrubbed), its status mapped. */
function toHttpError(err: unknown): HttpException {
  if (!(err instanceof TwilioDialError))
    return new BadGatewayException('Twilio could not place the call');
  switch (err.failure) {
    case 'not-configured':
    case 'rate-limited':
      return new ServiceUnavailableException(err.message);
    case 'refused':
      return new BadRequestException(err.message);
    case 'unauthorized':
    case 'unreachable':
      return new BadGatewayException(err.message);
  }
}
