import {
  parseTwilioMessage,
  StartMessage,
  TwilioInboundMessage,
  TwilioMessageError,
} from '@app/twilio';
import { BatchedJob, TurnBatch } from '@app/gemini-client';
import WebSocket from 'ws';
import { CallBridge } from '../bridge/call-bridge';
import { CallLog } from '../bridge/call-log';
import { CallLifecycle } from '../lifecycle/call-lifecycle';
import { CallSupervisor } from '../lifecycle/call-supervisor.service';
import { mediaMetrics } from '../metrics/media.metrics';
import { StreamTokenService } from './stream-token.service';

/** WebSocket close codes used on the media stream (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  unsupportedData: 1003,
  policy: 1008,
  internal: 1011,
} as const;

export interface MediaStreamDeps {
  tokens: StreamTokenService;
  supervisor: CallSupervisor;
  /** A connected socket that sends no valid `start` within this is closed (ms). */
  startTimeoutMs: number;
}

/** Every Twilio media stream's messages after `start`, handled once per event-loop turn (TurnBatch). */
const streamMessages = new TurnBatch();

/**
 * One Twilio media stream socket: waits for a valid `start` (right format, one-time token bound to the
 * call), hands the stream to its call's lifecycle, then feeds frames to the call's bridge. After
 * `start`, every frame is handled inside the call's fault boundary; a protocol violation ends that
 * call (or, before `start`, closes this socket) with a close code and reason. Nothing here can affect
 * another call.
 */
export class MediaStreamConnection {
  private call?: CallLifecycle;
  private bridge?: CallBridge;
  private log = new CallLog('MediaStream', {});
  private readonly startTimer: NodeJS.Timeout;
  private badFrames = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: MediaStreamDeps,
  ) {
    this.startTimer = setTimeout(
      () => this.refuse(CLOSE.policy, 'no valid start message received'),
      deps.startTimeoutMs,
    );
    this.startTimer.unref();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      // Once the stream has a call, its frames (~50 a second) are handled in this turn's batch with
      // every other stream's (TurnBatch), in order, in the call's fault boundary.
      if (this.call)
        streamMessages.defer(
          MediaStreamConnection.deliver,
          this,
          data,
          isBinary,
        );
      else this.guarded('twilio:message', () => this.onMessage(data, isBinary));
    });
    socket.on('close', () => {
      streamMessages.flush(); // what the stream delivered before its close is handled first
      this.guarded('twilio:close', () => this.onClose());
    });
    socket.on('error', (err) =>
      this.log.warn('Media stream socket error', { err: err.message }),
    );
  }

  /** TurnBatch jobs (defined once: no closure per frame). */
  private static readonly deliver: BatchedJob<
    MediaStreamConnection,
    Buffer,
    boolean
  > = (connection, data, isBinary) => {
    try {
      connection.onMessage(data, isBinary);
    } catch (err) {
      connection.call?.boundary.fault('twilio:message', err);
    }
  };

  /** Runs `fn` inside the call's fault boundary once there is a call; before that, a throw closes the socket. */
  private guarded(where: string, fn: () => void): void {
    if (this.call) {
      this.call.boundary.run(where, fn);
      return;
    }
    try {
      fn();
    } catch (err) {
      this.log.error('Media stream handler failed before start', {
        where,
        err: err instanceof Error ? err.message : String(err),
      });
      this.refuse(CLOSE.internal, 'internal error');
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.refuse(
        CLOSE.unsupportedData,
        'binary frames are not part of the Media Streams protocol',
      );
      return;
    }
    let message: TwilioInboundMessage;
    try {
      message = parseTwilioMessage(data.toString('utf8'));
    } catch (err) {
      if (!(err instanceof TwilioMessageError)) throw err;
      mediaMetrics.rejectedMessages.inc({ reason: 'invalid-message' });
      if (this.badFrames++ === 0)
        this.log.warn('Ignoring invalid media stream message', {
          reason: err.message,
        });
      return;
    }
    switch (message.event) {
      case 'connected':
        return;
      case 'start':
        return this.onStart(message);
      case 'media':
        if (!this.bridge)
          return this.refuse(CLOSE.policy, 'media before start');
        return this.bridge.onCallerMedia(
          message.media.payload,
          message.media.timestamp,
        );
      case 'dtmf':
        return this.bridge?.onDtmf(message.dtmf.digit);
      case 'mark':
        return this.bridge?.onMark(message.mark.name);
      case 'stop':
        if (this.call) this.call.streamEnded(this.socket, 'caller-hangup');
        else this.refuse(CLOSE.normal, 'stopped before start');
        return;
    }
  }

  private onStart(message: StartMessage): void {
    if (this.call) {
      this.log.warn('Ignoring a second start on the same stream');
      return;
    }
    const { callSid, streamSid, mediaFormat, customParameters } = message.start;
    this.log = new CallLog('MediaStream', { callSid, streamSid });
    if (
      mediaFormat.encoding !== 'audio/x-mulaw' ||
      mediaFormat.sampleRate !== 8000 ||
      mediaFormat.channels !== 1
    ) {
      return this.refuse(
        CLOSE.unsupportedData,
        'media format must be audio/x-mulaw, 8000 Hz, mono',
      );
    }
    // Outbound calls' tokens are bound to their dial, not to the CallSid (StreamTokenService).
    const { dialId } = customParameters;
    if (!this.deps.tokens.consume(customParameters.token, callSid, dialId)) {
      return this.refuse(
        CLOSE.policy,
        'invalid, expired or reused stream token',
      );
    }
    const call = this.deps.supervisor.forStream({
      callSid,
      from: customParameters.from ?? '',
      to: customParameters.to ?? '',
      dialId,
      profile: customParameters.profile,
    });
    const bridge = call?.acceptStream(this.socket, streamSid);
    if (!call || !bridge) {
      return this.refuse(
        CLOSE.policy,
        'call is not live or already has a media stream',
      );
    }
    clearTimeout(this.startTimer);
    this.call = call;
    this.bridge = bridge;
  }

  private onClose(): void {
    clearTimeout(this.startTimer);
    this.call?.streamEnded(this.socket, 'stream-stopped');
  }

  /** Closes the stream with `code` and `reason`; after `start`, the call ends through its lifecycle. */
  private refuse(code: number, reason: string): void {
    clearTimeout(this.startTimer);
    mediaMetrics.rejectedMessages.inc({ reason });
    this.log.warn('Closing media stream', { code, reason });
    if (this.call) void this.call.end('refused', { code, reason });
    else if (this.socket.readyState === WebSocket.OPEN)
      this.socket.close(code, reason);
  }
}
