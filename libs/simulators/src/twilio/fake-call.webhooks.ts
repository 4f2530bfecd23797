import type {
  CallbackRecord,
  FakeAnsweredBy,
  FakeCallStatus,
} from './fake-twilio-api.types';
import type { TwilioCallbackSender } from './twilio-callback.sender';
import { statusParams } from './twilio-webhook.client';

export type RestParams = Record<string, string | string[]>;

/** The first value of a form field. */
export function field(params: RestParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The call a FakeCallWebhooks speaks for. */
export interface WebhookCall {
  readonly sid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly status: FakeCallStatus;
}

/**
 * Twilio's requests to the service about one outbound call, as the REST create configured them:
 * status callbacks (`StatusCallback`, for the `StatusCallbackEvent`s asked for: `initiated`,
 * `ringing`, `answered`, `completed`; only `completed` when none are named, as Twilio does), the
 * async AMD callback (`AsyncAmdStatusCallback`: `AnsweredBy`, `MachineDetectionDuration` in ms) and
 * TwiML fetches (`Url`, `<Redirect>`, `<Dial action>`). Callbacks go out one at a time, in order.
 * https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent
 */
export class FakeCallWebhooks {
  /** Every request made, in order. */
  readonly records: CallbackRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private sequence = 0;

  constructor(
    private readonly call: WebhookCall,
    private readonly params: RestParams,
    private readonly sender: TwilioCallbackSender,
    private readonly track: (what: string, promise: Promise<unknown>) => void,
  ) {}

  /** Posts the status callback for `event` if it was asked for; `durationSeconds` goes with `completed`. */
  status(event: string, durationSeconds: number): void {
    const url = field(this.params, 'StatusCallback');
    if (!url || !this.events().has(event)) return;
    const { sid, accountSid, from, to, status } = this.call;
    const identity = { callSid: sid, accountSid, streamSid: '', from, to };
    const params = {
      ...statusParams(identity, status, this.sequence++, durationSeconds),
      Direction: 'outbound-api',
    };
    this.enqueue(
      'status',
      url,
      params,
      field(this.params, 'StatusCallbackMethod'),
    );
  }

  /** Posts the async AMD verdict, if the create named an `AsyncAmdStatusCallback`. */
  amd(answeredBy: FakeAnsweredBy, detectionMs: number): void {
    const url = field(this.params, 'AsyncAmdStatusCallback');
    if (!url) return;
    const params = {
      AccountSid: this.call.accountSid,
      CallSid: this.call.sid,
      AnsweredBy: answeredBy,
      MachineDetectionDuration: String(detectionMs),
    };
    this.enqueue(
      'amd',
      url,
      params,
      field(this.params, 'AsyncAmdStatusCallbackMethod'),
    );
  }

  /** Requests TwiML as Twilio does (the call's fields plus `extra`); rejects unless the answer is 200. */
  async fetchTwiml(
    url: string,
    method: string,
    extra: Record<string, string>,
    kind: 'twiml' | 'dial-action',
  ): Promise<string> {
    const record = await this.send(
      kind,
      url,
      { ...this.fields(), ...extra },
      method,
    );
    if (record.status !== 200)
      throw new Error(`${url} answered HTTP ${record.status}`);
    return record.body;
  }

  /** The fields Twilio sends with every request about the call. */
  fields(): Record<string, string> {
    const { sid, accountSid, from, to, status } = this.call;
    return {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      CallSid: sid,
      CallStatus: status,
      Called: to,
      Caller: from,
      Direction: 'outbound-api',
      From: from,
      To: to,
    };
  }

  private events(): Set<string> {
    const raw = this.params.StatusCallbackEvent;
    const listed = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((e) =>
      e.split(/[\s,]+/).filter(Boolean),
    );
    return new Set(listed.length > 0 ? listed : ['completed']);
  }

  private enqueue(
    kind: CallbackRecord['kind'],
    url: string,
    params: Record<string, string>,
    method?: string,
  ): void {
    const next = this.queue.then(() => this.send(kind, url, params, method));
    this.queue = next.catch(() => undefined);
    this.track(kind, next);
  }

  private async send(
    kind: CallbackRecord['kind'],
    url: string,
    params: Record<string, string>,
    method?: string,
  ): Promise<CallbackRecord> {
    const record = await this.sender.send(kind, url, params, method);
    this.records.push(record);
    return record;
  }
}
