import WebSocket, { RawData } from 'ws';
import { getExpectedTwilioSignature } from 'twilio';
import { toneInt16 } from '../audio/pcm.util';
import { nowMs, randomHex } from '../shared/waiters.util';
import { writeWav } from '../wav';
import { CallerMediaSender } from './caller-media.sender';
import {
  dialMediaStream,
  frameText,
  mapStreamUrl,
} from './media-stream.dialer';
import { checkServiceMessage } from './service-message.checker';
import { CallIdentity, StreamMessageFactory } from './stream-message.factory';
import { StreamPlaybackPlayer } from './stream-playback.player';
import {
  MarkEvent,
  PlaceCallResult,
  StreamClose,
  StreamMessage,
  TwilioCallSimulatorOptions,
  WebhookResponse,
} from './twilio-call.types';
import {
  callParams,
  statusParams,
  TwilioWebhookClient,
} from './twilio-webhook.client';
import { parseTwiml, TwimlStream } from './twiml.parser';

const DTMF_DIGITS = /^[0-9*#A-D]$/;

/**
 * Plays Twilio's side of one inbound call against the real service: the signed `/incoming-call`
 * webhook, the signed Media Streams WebSocket with `connected`/`start`, paced caller audio, and a
 * faithful playback model for what the service sends back (real-time drain, marks, clear).
 */
export class TwilioCallSimulator implements CallIdentity {
  readonly callSid: string;
  readonly accountSid: string;
  readonly streamSid: string;
  readonly from: string;
  readonly to: string;
  /** Every message the service sent on the stream. */
  readonly received: StreamMessage[] = [];
  /** Protocol mistakes in what the service sent (expect it to stay empty). */
  readonly protocolErrors: string[] = [];
  /** Resolves when the stream socket closes (`{code: 0}` at once when no stream was opened). */
  readonly closed: Promise<StreamClose>;
  twiml?: string;
  streamUrl?: string;
  streamParameters: Record<string, string> = {};
  private readonly webhooks: TwilioWebhookClient;
  private readonly messages: StreamMessageFactory;
  private readonly player: StreamPlaybackPlayer;
  private readonly sender: CallerMediaSender;
  private ws?: WebSocket;
  private statusSequence = 0;
  private answeredAt?: number;
  private resolveClosed!: (close: StreamClose) => void;

  constructor(private readonly options: TwilioCallSimulatorOptions) {
    this.callSid = options.callSid ?? `CA${randomHex(32)}`;
    this.accountSid = options.accountSid ?? `AC${randomHex(32)}`;
    this.streamSid = options.streamSid ?? `MZ${randomHex(32)}`;
    this.from = options.from ?? '+15005550006';
    this.to = options.to ?? '+15005550001';
    const { serviceUrl, publicUrl, authToken } = options;
    this.webhooks = new TwilioWebhookClient(serviceUrl, publicUrl, authToken);
    this.messages = new StreamMessageFactory(this);
    this.player = new StreamPlaybackPlayer((name) =>
      this.sendJson(this.messages.mark(name)),
    );
    this.sender = new CallerMediaSender((codes, timestamp) => {
      const sent = this.sendJson(this.messages.media(codes, timestamp));
      options.probe?.frameSent?.(nowMs());
      return sent;
    }, options.idleSilence ?? true);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** The form fields Twilio sends with every call webhook. */
  callParams(status: string): Record<string, string> {
    return callParams(this, status);
  }

  /** Posts /incoming-call and, when the TwiML says `<Connect><Stream>`, opens and starts the stream. */
  async placeCall(
    overrides: { signature?: string; streamSignature?: string } = {},
  ): Promise<PlaceCallResult> {
    const params = this.callParams('ringing');
    const response = await this.webhooks.post(
      '/incoming-call',
      params,
      overrides.signature,
    );
    this.twiml = response.body;
    const result: PlaceCallResult = {
      status: response.status,
      twiml: response.body,
      stream: false,
      parameters: {},
    };
    const stream =
      response.status === 200 ? parseTwiml(response.body).stream : undefined;
    if (!stream) return this.noStream(result);
    const delayMs = this.options.streamDelayMs ?? 0;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return this.connectStream(stream, result, overrides.streamSignature);
  }

  /**
   * Opens the `<Connect><Stream>` of a TwiML document as Twilio does once a call is answered: the
   * handshake signed over the wss:// URL, then `connected` and `start` carrying the `<Parameter>`s.
   * placeCall uses it after `/incoming-call`; the fake Twilio REST API for outbound calls and redirects
   * (TwiML given in a REST create or update). `result`: what to report besides the stream.
   */
  async connectStream(
    stream: TwimlStream,
    result: PlaceCallResult = {
      status: 200,
      twiml: this.twiml ?? '',
      stream: false,
      parameters: {},
    },
    streamSignature?: string,
  ): Promise<PlaceCallResult> {
    this.streamUrl = stream.url;
    this.streamParameters = result.parameters = stream.parameters;
    result.streamUrl = stream.url;
    if (!stream.url.startsWith('wss://')) {
      return this.noStream({
        ...result,
        streamError: `Stream url must be wss:// (got ${stream.url})`,
      });
    }
    const signature =
      streamSignature ??
      getExpectedTwilioSignature(this.options.authToken, stream.url, {});
    const target =
      this.options.mapStreamUrl?.(stream.url) ??
      mapStreamUrl(stream.url, this.options.serviceUrl);
    const dialed = await dialMediaStream(target, signature);
    if (!dialed.ok) {
      return this.noStream({
        ...result,
        streamError: dialed.error,
        streamStatus: dialed.status,
      });
    }
    this.attach(dialed.ws);
    this.answeredAt = nowMs();
    this.sendJson(this.messages.connected());
    this.sendJson(this.messages.start(stream.parameters));
    const startedAt = nowMs();
    this.player.start(startedAt);
    this.sender.start(startedAt);
    return { ...result, stream: true };
  }

  /** Caller audio (8 kHz PCM16) as 20 ms media frames; paced in real time unless `realtime: false`. */
  sendAudio(
    pcm8k: Int16Array,
    options: { realtime?: boolean } = {},
  ): Promise<void> {
    if (options.realtime === false) {
      this.sender.burst(pcm8k);
      return Promise.resolve();
    }
    return this.sender.queue8k(pcm8k);
  }

  sendSilence(ms: number, options: { realtime?: boolean } = {}): Promise<void> {
    return this.sendAudio(new Int16Array(Math.round(ms * 8)), options);
  }

  sendTone(
    hz: number,
    ms: number,
    amplitude = 8000,
    options: { realtime?: boolean } = {},
  ): Promise<void> {
    return this.sendAudio(toneInt16(8000, hz, ms, amplitude), options);
  }

  sendDtmf(digit: string): void {
    if (!DTMF_DIGITS.test(digit)) throw new Error(`Not a DTMF digit: ${digit}`);
    this.sendJson(this.messages.dtmf(digit));
  }

  /** Sends anything as is (text frame for strings, binary for Buffers). */
  sendRaw(data: string | Buffer): void {
    this.ws?.send(data, { binary: Buffer.isBuffer(data) });
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  hangUp(): Promise<StreamClose> {
    if (!this.ws)
      this.noStream({ status: 0, twiml: '', stream: false, parameters: {} });
    else if (this.ws.readyState === WebSocket.OPEN) {
      this.stopClocks();
      this.sendJson(this.messages.stop());
      this.ws.close(1000);
    }
    return this.closed;
  }

  /** Signed status callback (POST /call-status by default); `extra` overrides or adds fields. */
  postStatus(
    status: string,
    extra: Record<string, string> = {},
    path = '/call-status',
  ): Promise<WebhookResponse> {
    const since = this.answeredAt ?? nowMs();
    const duration = Math.round((nowMs() - since) / 1000);
    const params = statusParams(this, status, this.statusSequence++, duration);
    return this.webhooks.post(path, { ...params, ...extra });
  }

  /** Any signed (or, with `signature`, deliberately mis-signed) form POST. */
  postForm(
    path: string,
    params: Record<string, string>,
    signature?: string,
  ): Promise<WebhookResponse> {
    return this.webhooks.post(path, params, signature);
  }

  /** What the caller heard: 8 kHz from stream start, silence where nothing played. */
  heardAudio(): Int16Array {
    return this.player.heardAudio();
  }

  writeHeardWav(path: string): void {
    writeWav(path, 8000, this.heardAudio());
  }

  /** When the service's first media arrived, in ms since the stream started. */
  get firstAudioAtMs(): number | undefined {
    return this.player.firstAudioAtMs;
  }

  get clearsAtMs(): readonly number[] {
    return this.player.clearsAtMs;
  }

  get marksEchoed(): readonly MarkEvent[] {
    return this.player.marksEchoed;
  }

  get marksReceived(): readonly MarkEvent[] {
    return this.player.marksReceived;
  }

  /** True while service audio is still queued for playback. */
  get playing(): boolean {
    return this.player.playing;
  }

  /** ms since the stream started. */
  get elapsedMs(): number {
    return this.player.elapsedMs;
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => {
      this.stopClocks();
      this.resolveClosed({ code, reason: reason.toString('utf8') });
    });
  }

  private noStream(result: PlaceCallResult): PlaceCallResult {
    this.sender.stop();
    this.resolveClosed({ code: 0, reason: result.streamError ?? 'no stream' });
    return result;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const raw = frameText(data);
    const probe = this.options.probe;
    const checked = checkServiceMessage(raw, isBinary, this.streamSid);
    const { event, message } = checked;
    probe?.messageReceived?.(event, nowMs());
    this.received.push({ atMs: this.player.elapsedMs, event, message, raw });
    this.protocolErrors.push(...checked.errors);
    if (!checked.accepted) return;
    if (event === 'media' && checked.payload)
      this.player.media(checked.payload);
    else if (event === 'mark' && checked.markName !== undefined)
      this.player.mark(checked.markName);
    else if (event === 'clear') this.player.clear();
  }

  private sendJson(message: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  private stopClocks(): void {
    this.sender.stop();
    this.player.stop();
  }
}
