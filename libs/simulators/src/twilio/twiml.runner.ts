import type { DialOutcome, DialTarget } from './fake-twilio-api.types';
import { parseTwiml, TwimlStream, XmlElement } from './twiml.parser';

/** TwiML documents one run may chain through `<Redirect>` and `<Dial action>` before giving up. */
const MAX_DOCUMENTS = 10;

/** How a TwiML run ended. */
export type TwimlOutcome =
  /** `<Hangup/>`. */
  | 'hangup'
  /** `<Reject/>`. */
  | 'reject'
  /** The last verb ran: Twilio ends the call. */
  | 'finished'
  /** Stopped from outside (a REST update, a hang-up) before it finished. */
  | 'stopped'
  /** A document could not be parsed or fetched, or too many redirects (Twilio: "application error"). */
  | 'error';

/** What a run needs from its call (FakeTwilioCall). */
export interface TwimlRunHost {
  /** True once the run must stop (REST update, hang-up): it returns at the next verb or wait. */
  readonly stopped: boolean;
  /** `<Connect><Stream>`: resolves once the stream has closed (either side) or the run was stopped. */
  connectStream(stream: TwimlStream): Promise<void>;
  /** Requests TwiML from the service (signed, as Twilio): `<Redirect>`, `<Dial action>`. */
  fetchTwiml(
    url: string,
    method: string,
    params: Record<string, string>,
    kind: 'twiml' | 'dial-action',
  ): Promise<string>;
  /** `<Dial>`: its outcome, scripted by a DialHandler. */
  dial(element: XmlElement): Promise<DialOutcome>;
  /** Every verb, as it starts (for the call's record). */
  ran(verb: XmlElement): void;
  /** Waits `ms` (ms), or less if the run is stopped meanwhile. */
  wait(ms: number): Promise<void>;
}

/**
 * Runs TwiML the way Twilio's voice engine does, for the fake Twilio API: verbs in order, `<Connect>
 * <Stream>` holds the call until the stream closes (then the verbs after `</Connect>` run), `<Say>`
 * and `<Pause>` take time, `<Hangup/>`/`<Reject/>` end it, `<Redirect>` and `<Dial action>` continue
 * with the TwiML the service answers (https://www.twilio.com/docs/voice/twiml). `<Dial>` outcomes are
 * the host's (a pluggable DialHandler), so transfers can be scripted. Other verbs are recorded and
 * skipped.
 */
export class TwimlRunner {
  constructor(
    private readonly host: TwimlRunHost,
    /** How long `<Say>` takes per character (ms). */
    private readonly sayMsPerChar = 10,
  ) {}

  async run(twiml: string): Promise<TwimlOutcome> {
    let document = twiml;
    for (let hops = 0; hops < MAX_DOCUMENTS; hops++) {
      let verbs: XmlElement[];
      try {
        verbs = parseTwiml(document).root.children;
      } catch {
        return 'error';
      }
      let next: TwimlOutcome | { twiml: string };
      try {
        next = await this.runVerbs(verbs);
      } catch {
        return this.host.stopped ? 'stopped' : 'error';
      }
      if (typeof next === 'string') return next;
      document = next.twiml;
    }
    return 'error';
  }

  private async runVerbs(
    verbs: XmlElement[],
  ): Promise<TwimlOutcome | { twiml: string }> {
    for (const verb of verbs) {
      if (this.host.stopped) return 'stopped';
      this.host.ran(verb);
      switch (verb.name) {
        case 'Connect': {
          const stream = streamOf(verb);
          if (stream) await this.host.connectStream(stream);
          break;
        }
        case 'Say':
          await this.host.wait(verb.text.trim().length * this.sayMsPerChar);
          break;
        case 'Pause':
          await this.host.wait(Number(verb.attributes.length ?? '1') * 1000);
          break;
        case 'Hangup':
          return 'hangup';
        case 'Reject':
          return 'reject';
        case 'Redirect':
          return {
            twiml: await this.host.fetchTwiml(
              verb.text.trim(),
              verb.attributes.method ?? 'POST',
              {},
              'twiml',
            ),
          };
        case 'Dial': {
          const outcome = await this.host.dial(verb);
          const action = verb.attributes.action;
          if (!action || this.host.stopped) break;
          const params: Record<string, string> = {
            DialCallStatus: outcome.status,
          };
          if (outcome.durationSeconds !== undefined)
            params.DialCallDuration = String(outcome.durationSeconds);
          return {
            twiml: await this.host.fetchTwiml(
              action,
              verb.attributes.method ?? 'POST',
              params,
              'dial-action',
            ),
          };
        }
        default:
          break;
      }
    }
    return this.host.stopped ? 'stopped' : 'finished';
  }
}

/** The `<Stream>` of a `<Connect>`, with its `<Parameter>`s. */
export function streamOf(connect: XmlElement): TwimlStream | undefined {
  const stream = connect.children.find((e) => e.name === 'Stream');
  if (!stream) return undefined;
  const parameters: Record<string, string> = {};
  for (const child of stream.children) {
    if (child.name === 'Parameter' && child.attributes.name !== undefined)
      parameters[child.attributes.name] = child.attributes.value ?? '';
  }
  return { url: stream.attributes.url ?? '', parameters, verbsAfter: [] };
}

/** A `<Dial>`'s targets: its `<Number>`, `<Sip>` and `<Client>` nouns, or its own text (a number). */
export function dialTargets(dial: XmlElement): DialTarget[] {
  const kinds: Record<string, DialTarget['kind']> = {
    Number: 'number',
    Sip: 'sip',
    Client: 'client',
  };
  const targets: DialTarget[] = dial.children
    .filter((child) => kinds[child.name] !== undefined)
    .map((child) => ({
      kind: kinds[child.name],
      value: child.text.trim(),
      ...(child.attributes.url ? { url: child.attributes.url } : {}),
    }));
  const own = dial.text.trim();
  if (targets.length === 0 && own)
    targets.push({
      kind: own.startsWith('sip:') ? 'sip' : 'number',
      value: own,
    });
  return targets;
}
