import { Injectable } from '@nestjs/common';
import twilio from 'twilio';

const BUSY_MESSAGE =
  'Sorry, all of our agents are busy right now. Please call again in a few minutes. Goodbye.';
const UNAVAILABLE_MESSAGE =
  'Sorry, we cannot take your call right now. Please try again later. Goodbye.';

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
