import { isSipUri, type AgentProfile } from '@app/gemini-client';
import {
  TWILIO_OPTIONS,
  TwilioCallControl,
  TwilioOptions,
  TwilioSignatureVerifier,
  TwimlBuilder,
} from '@app/twilio';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CallParties } from '../lifecycle/call-lifecycle.types';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';
import { StreamTokenService } from '../stream/stream-token.service';
import type { CallControlPlan } from './agent-call-control';

/** How long Twilio rings a transfer target before the dial ends `no-answer` (`<Dial timeout>`, s). */
export const TRANSFER_RING_SECONDS = 20;
/** The transfer's `<Dial action>` route (signed webhook). */
export const TRANSFER_STATUS_PATH = '/transfer-status';
/** The transfer's whisper route (`<Number url>` / `<Sip url>`, signed webhook). */
export const TRANSFER_WHISPER_PATH = '/transfer-whisper';
/** Twilio refuses a REST update whose `Twiml` is longer than this (error 32018, characters). */
export const TWIML_MAX_CHARS = 4000;

/**
 * Twilio's side of `transfer_call`: the redirect TwiML (`<Dial action=/transfer-status
 * timeout=20><Number url=/transfer-whisper?callSid=…&summary=…>`, or `<Sip>` for a SIP URI) sent with
 * a REST update of the live call, and the stream parameters that bring a caller back to the agent
 * when nobody answered. The whisper's text rides in its URL, which Twilio signs when it calls, so any
 * instance can answer it.
 */
@Injectable()
export class CallTransfers {
  constructor(
    private readonly twiml: TwimlBuilder,
    private readonly verifier: TwilioSignatureVerifier,
    private readonly tokens: StreamTokenService,
    @Inject(TWILIO_OPTIONS) private readonly twilio: TwilioOptions,
    @Inject(MEDIA_GATEWAY_OPTIONS)
    private readonly options: MediaGatewayOptions,
    @Optional() private readonly carrier?: TwilioCallControl,
  ) {}

  /** Why transfers cannot work in this deployment, or undefined when they can. */
  get unavailable(): string | undefined {
    if (!this.carrier?.configured)
      return 'Twilio REST credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)';
    if (!this.twilio.webhookBaseUrl) return 'WEBHOOK_BASE_URL is not set';
    return undefined;
  }

  /** What one call's AgentCallControl may do, for its profile. */
  planFor(callSid: string, profile: AgentProfile): CallControlPlan {
    return {
      targets: profile.transferTargets,
      transferUnavailable: this.unavailable,
      ringSeconds: TRANSFER_RING_SECONDS,
      redirect: (to, summary) => this.redirect(callSid, to, summary),
      hangUp: () => this.carrier?.hangUp(callSid) ?? Promise.resolve(),
    };
  }

  /**
   * `<Parameter>`s of the stream that brings `parties`' caller back to the agent: a one-time token
   * bound to the call (outbound calls: to their dial, with its id and profile).
   */
  returnStream(parties: CallParties): Record<string, string> {
    const { callSid, from, to, dialId, profile } = parties;
    if (dialId === undefined)
      return { callSid, from, to, token: this.tokens.issue(callSid) };
    return {
      callSid,
      from,
      to,
      dialId,
      profile: profile ?? '',
      token: this.tokens.issueForDial(dialId, this.options.streamTokenTtlMs),
    };
  }

  /** The REST redirect to the transfer TwiML; rejects (CallRedirectError) with Twilio's reason. */
  private async redirect(
    callSid: string,
    to: string,
    summary: string,
  ): Promise<void> {
    const twimlWith = (text: string): string => {
      const whisper = new URLSearchParams({
        callSid,
        summary: `Transferred call. ${text}`,
      });
      return this.twiml.transfer({
        to,
        sip: isSipUri(to),
        actionUrl: this.verifier.signedUrl(TRANSFER_STATUS_PATH),
        whisperUrl: this.verifier.signedUrl(
          `${TRANSFER_WHISPER_PATH}?${whisper}`,
        ),
        timeoutSeconds: TRANSFER_RING_SECONDS,
      });
    };
    // The summary rides percent-encoded in the whisper URL inside the TwiML: a non-Latin summary
    // grows up to 9-fold there. Keep the longest beginning (whole code points) that fits Twilio's limit.
    const chars = Array.from(summary);
    let twiml = twimlWith(summary);
    if (twiml.length > TWIML_MAX_CHARS) {
      let fits = 0;
      let over = chars.length;
      while (over - fits > 1) {
        const mid = (fits + over) >> 1;
        if (twimlWith(chars.slice(0, mid).join('')).length <= TWIML_MAX_CHARS)
          fits = mid;
        else over = mid;
      }
      twiml = twimlWith(chars.slice(0, fits).join(''));
    }
    if (!this.carrier) throw new Error('Twilio REST is not available');
    await this.carrier.redirect(callSid, twiml);
  }
}
