import { timingSafeEqual } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowMs, waitForItem } from '../shared/waiters.util';
import { field, RestParams } from './fake-call.webhooks';
import type {
  CalleeScript,
  DialHandler,
  FakeTwilioApiOptions,
  RestRequestRecord,
  TwilioApiError,
} from './fake-twilio-api.types';
import { FakeTwilioCall } from './fake-twilio-call';
import { TwilioCallbackSender } from './twilio-callback.sender';

const CALLS = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const CALL = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
/** What Twilio dials: E.164, a SIP URI or a Client identity. */
const DIALLABLE = /^(\+[1-9]\d{1,14}|sips?:\S+@\S+|client:\S+)$/;

/**
 * A fake of the part of Twilio's REST API this service uses (https://www.twilio.com/docs/voice/api/call-resource),
 * for tests, the demo and simulations offline; twilio-node talks to it through TWILIO_API_BASE_URL:
 * - `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`: create (To, From, Twiml or Url, StatusCallback,
 *   StatusCallbackEvent, MachineDetection, AsyncAmd, AsyncAmdStatusCallback, …) → 201 and the call;
 * - `POST …/Calls/{CallSid}.json`: update (Status=completed|canceled, Twiml, Url) → 200;
 * - `GET …/Calls/{CallSid}.json`: fetch.
 * Basic auth must be the account SID and auth token (else 401, Twilio error 20003); errors are
 * Twilio-shaped JSON `{code, message, more_info, status}`. Every request is recorded (`requests`).
 * Each created call is played by a FakeTwilioCall: a scripted callee (`script(to, …)`, default a
 * person), signed callbacks to the service (`serviceUrl`), the stream through TwilioCallSimulator.
 * `refuseNext` makes the next create fail as Twilio would; `dialHandler` scripts `<Dial>` outcomes.
 */
export class FakeTwilioApi {
  readonly requests: RestRequestRecord[] = [];
  readonly calls: FakeTwilioCall[] = [];
  /** Failures inside the fake (a callback the service never answered…): tests expect none. */
  readonly faults: string[] = [];
  /** Where the service listens; callbacks and streams for public URLs go there. */
  serviceUrl?: string;
  /** Decides each `<Dial>` (transfers); default: nobody answers. */
  dialHandler: DialHandler;
  /** How a callee without its own script behaves. */
  callee: CalleeScript;
  private readonly scripts = new Map<string, CalleeScript>();
  private readonly refusals: TwilioApiError[] = [];
  private readonly listeners = new Set<(call: FakeTwilioCall) => void>();
  private readonly startedAt = nowMs();
  private readonly sender: TwilioCallbackSender;

  private constructor(
    private readonly options: FakeTwilioApiOptions,
    private readonly server: Server,
  ) {
    this.serviceUrl = options.serviceUrl;
    this.callee = options.callee ?? {};
    this.dialHandler =
      options.dial ?? (() => Promise.resolve({ status: 'no-answer' }));
    this.sender = new TwilioCallbackSender(
      options.authToken,
      () => this.serviceUrl,
      () => this.elapsedMs(),
      (what, err) => this.fault(what, err),
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.receive(req, res).catch((err: unknown) => {
        this.fault('request', err);
        if (!res.headersSent) this.error(res, 500, 20500, 'Internal error');
      });
    });
  }

  /** Starts the fake on `options.port` (default: a free port) of 127.0.0.1. */
  static async start(options: FakeTwilioApiOptions): Promise<FakeTwilioApi> {
    const server = createServer();
    const api = new FakeTwilioApi(options, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    return api;
  }

  /** The base URL to give twilio-node (TWILIO_API_BASE_URL). */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** Recorded creates (answered or refused). */
  get creates(): RestRequestRecord[] {
    return this.requests.filter((r) => r.kind === 'create');
  }

  /** Recorded updates (answered or refused). */
  get updates(): RestRequestRecord[] {
    return this.requests.filter((r) => r.kind === 'update');
  }

  /** How the callee at `to` behaves on calls created from now on. */
  script(to: string, script: CalleeScript): void {
    this.scripts.set(to, script);
  }

  /** The next create answers `error` instead (e.g. 400 / 21211, 401 / 20003). */
  refuseNext(error: TwilioApiError): void {
    this.refusals.push(error);
  }

  call(callSid: string): FakeTwilioCall | undefined {
    return this.calls.find((call) => call.sid === callSid);
  }

  /** The first call (created already or later) that matches. */
  waitForCall(
    predicate: (call: FakeTwilioCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<FakeTwilioCall> {
    return waitForItem(
      this.calls,
      (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      predicate,
      timeoutMs,
      'a call to be created',
    );
  }

  /** Stops every call (streams closed, no more callbacks) and the server. */
  async close(): Promise<void> {
    for (const call of this.calls) call.dispose();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = await readBody(req);
    const params = formFields(body);
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const matchCall = CALL.exec(path);
    const matchCalls = CALLS.exec(path);
    const kind: RestRequestRecord['kind'] =
      matchCalls && method === 'POST'
        ? 'create'
        : matchCall && method === 'POST'
          ? 'update'
          : matchCall && method === 'GET'
            ? 'fetch'
            : 'other';
    const record: RestRequestRecord = {
      method,
      path,
      kind,
      callSid: matchCall?.[2],
      params,
      status: 0,
      atMs: this.elapsedMs(),
    };
    this.requests.push(record);
    const answer = (status: number, json: object, errorCode?: number): void => {
      record.status = status;
      record.errorCode = errorCode;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const fail = (error: TwilioApiError) =>
      answer(error.status, twilioError(error), error.code);

    if (!this.authorized(req)) {
      return fail({ status: 401, code: 20003, message: 'Authenticate' });
    }
    const account = (matchCalls ?? matchCall)?.[1];
    if (kind === 'other' || account !== this.options.accountSid) {
      return fail({
        status: 404,
        code: 20404,
        message: `The requested resource ${path} was not found`,
      });
    }
    if (kind === 'create') {
      const refusal = this.refusals.shift() ?? invalidCreate(params);
      if (refusal) return fail(refusal);
      const call = this.place(params);
      record.callSid = call.sid;
      return answer(201, callResource(call));
    }
    const call = this.call(record.callSid ?? '');
    if (!call) {
      return fail({
        status: 404,
        code: 20404,
        message: `The requested resource ${path} was not found`,
      });
    }
    if (kind === 'update') {
      const refused = call.update(params);
      if (refused) return fail(refused);
    }
    return answer(200, callResource(call));
  }

  private place(params: RestParams): FakeTwilioCall {
    const to = field(params, 'To') ?? '';
    const call = new FakeTwilioCall(
      {
        accountSid: this.options.accountSid,
        authToken: this.options.authToken,
        serviceUrl: () => this.serviceUrl,
        dial: (request) => this.dialHandler(request),
        sayMsPerChar: this.options.sayMsPerChar ?? 10,
        elapsedMs: () => this.elapsedMs(),
        fault: (what, err) => this.fault(what, err),
        callbacks: this.sender,
      },
      params,
      this.scripts.get(to) ?? this.callee,
    );
    this.calls.push(call);
    call.start();
    for (const listener of this.listeners) listener(call);
    return call;
  }

  /** HTTP Basic with the account SID and auth token, compared in constant time. */
  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    if (!match) return false;
    const given = Buffer.from(match[1], 'base64');
    const expected = Buffer.from(
      `${this.options.accountSid}:${this.options.authToken}`,
    );
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private error(
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
  ): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(twilioError({ status, code, message })));
  }

  private fault(what: string, err: unknown): void {
    this.faults.push(
      `${what}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  private elapsedMs(): number {
    return nowMs() - this.startedAt;
  }
}

/** Twilio's create checks the fake repeats (https://www.twilio.com/docs/api/errors). */
function invalidCreate(params: RestParams): TwilioApiError | undefined {
  const to = field(params, 'To');
  if (!to)
    return { status: 400, code: 21201, message: "No 'To' number is specified" };
  if (!field(params, 'From'))
    return {
      status: 400,
      code: 21603,
      message: "A 'From' phone number is required.",
    };
  if (!DIALLABLE.test(to))
    return {
      status: 400,
      code: 21211,
      message: `Invalid 'To' Phone Number: ${to}`,
    };
  if (
    !field(params, 'Twiml') &&
    !field(params, 'Url') &&
    !field(params, 'ApplicationSid')
  )
    return { status: 400, code: 21205, message: 'Url parameter is required.' };
  return undefined;
}

/** A Twilio REST error body. */
function twilioError(error: TwilioApiError): object {
  return {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
  };
}

/** The call as Twilio's REST API shows it (a subset of the Call resource). */
function callResource(call: FakeTwilioCall): object {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: 'outbound-api',
    answered_by: call.answeredBy ?? null,
    api_version: '2010-04-01',
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
  };
}

/** Form fields; a repeated field (StatusCallbackEvent) becomes an array. */
function formFields(body: string): RestParams {
  const fields: RestParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = fields[key];
    if (seen === undefined) fields[key] = value;
    else fields[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return fields;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
