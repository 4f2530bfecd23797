import { Injectable } from '@nestjs/common';
import twilio from 'twilio';

const BUSY_MESSAGE =
  'Sorry, all of our agents are busy right now. Please call again in a few minutes. Goodbye.';
const UNAVAILABLE_MESSAGE =
  'Sorry, we cannot take your call right now. Please try again later. Goodbye.';

/** Where a transfer dials, and the URLs Twilio calls back (all absolute, on WEBHOOK_BASE_URL). */
export interface TransferDial {
  /** E.164 number (`<Number>`) or SIP URI (`<Sip>`). */
  to: string;
  sip: boolean;
  /** `<Dial action>`: requested when the dial ends, with DialCallStatus. */
  actionUrl: string;
  /** `<Number url>` / `<Sip url>`: TwiML played to the person who answers (the whisper). */
  whisperUrl: string;
  /** How long Twilio rings the target (seconds). */
  timeoutSeconds: number;
}

/** TwiML documents, built with the twilio package. */
@Injectable()
export class TwimlBuilder {
  /** `<Connect><Stream>` with `<Parameter>`s: stream URLs must not carry query strings. */
  connectStream(url: string, parameters: Record<string, string>): string {
    const response = new twilio.twiml.VoiceResponse();
    const stream = response.connect().stream({ url });
    for (const [name, value] of Object.entries(parameters))
      stream.parameter({ name, value });
    return response.toString();
  }

  /**
   * A transfer (PROTOCOLS.md "Twilio call control"): `<Dial action timeout><Number url>…</Number>
   * </Dial>` (or `<Sip url>`), so the person answering hears the whisper first and Twilio requests
   * `action` with DialCallStatus when the dial ends.
   */
  transfer(dial: TransferDial): string {
    const response = new twilio.twiml.VoiceResponse();
    const verb = response.dial({
      action: dial.actionUrl,
      method: 'POST',
      timeout: dial.timeoutSeconds,
    });
    const whisper = { url: dial.whisperUrl, method: 'POST' as const };
    if (dial.sip) verb.sip(whisper, dial.to);
    else verb.number(whisper, dial.to);
    return response.toString();
  }

  /** The whisper: what the person taking a transfer hears before the caller is connected. */
  whisper(summary: string): string {
    const response = new twilio.twiml.VoiceResponse();
    response.say(summary);
    return response.toString();
  }

  /** Hang up now (a transfer's dial ended after the person and the caller talked). */
  hangup(): string {
    const response = new twilio.twiml.VoiceResponse();
    response.hangup();
    return response.toString();
  }

  /** A short spoken apology, then hang up (at capacity). */
  busy(): string {
    return this.sayAndHangUp(BUSY_MESSAGE);
  }

  /** The service cannot take calls (e.g. shutting down). */
  unavailable(): string {
    return this.sayAndHangUp(UNAVAILABLE_MESSAGE);
  }

  private sayAndHangUp(message: string): string {
    const response = new twilio.twiml.VoiceResponse();
    response.say(message);
    response.hangup();
    return response.toString();
  }
}
