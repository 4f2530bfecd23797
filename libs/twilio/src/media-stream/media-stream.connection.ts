import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import { AgentToolRegistry, ToolCallScope } from '@app/gemini-client';
import WebSocket from 'ws';
import { CallBridge } from '../bridge/call-bridge';
import { CallLog } from '../bridge/call-log';
import { PendingSessions } from '../bridge/pending-sessions.service';
import { mediaMetrics } from '../metrics/media.metrics';
import { TwilioOptions } from '../twilio.options';
import { StreamTokenService } from './stream-token.service';
import { parseTwilioMessage } from './twilio-message.parser';
import { StartMessage, TwilioMessageError } from './twilio-messages';

/** WebSocket close codes used on the media stream. */
export const CLOSE = {
  normal: 1000,
  unsupportedData: 1003,
  policy: 1008,
  internal: 1011,
} as const;

export interface MediaStreamDeps {
  tools: AgentToolRegistry;
  events: CallEvents;
  tokens: StreamTokenService;
  pending: PendingSessions;
  calls: CallsService;
  audio: AudioBridgeService;
  options: TwilioOptions;
}

/**
 * One Twilio media stream socket: waits for a valid `start` (right format, one-time token bound to the
 * call), then hands frames to the call's bridge. Protocol violations close this socket with a reason;
 * nothing here can affect another call.
 */
export class MediaStreamConnection {
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
      deps.options.streamStartTimeoutMs,
    );
    this.startTimer.unref();
    socket.on('message', (data: Buffer, isBinary: boolean) =>
      this.onMessage(data, isBinary),
    );
    socket.on('close', () => this.onClose());
    socket.on('error', (err) =>
      this.log.warn('Media stream socket error', { err: err.message }),
    );
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.refuse(
        CLOSE.unsupportedData,
        'binary frames are not part of the Media Streams protocol',
      );
      return;
    }
    let message;
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
        return this.bridge.onCallerMedia(message.media.payload);
      case 'dtmf':
        return this.bridge?.onDtmf(message.dtmf.digit);
      case 'mark':
        return this.bridge?.onMark(message.mark.name);
      case 'stop':
        if (this.bridge) void this.bridge.end('caller-hangup');
        else this.refuse(CLOSE.normal, 'stopped before start');
        return;
    }
  }

  private onStart(message: StartMessage): void {
    if (this.bridge) {
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
    if (!this.deps.tokens.consume(customParameters.token, callSid)) {
      return this.refuse(
        CLOSE.policy,
        'invalid, expired or reused stream token',
      );
    }
    clearTimeout(this.startTimer);
    const caller = {
      from: customParameters.from ?? '',
      to: customParameters.to ?? '',
    };
    const bridge = new CallBridge({
      callSid,
      streamSid,
      socket: this.socket,
      session: this.deps.pending.take(callSid, caller),
      pipelines: this.deps.audio.createCallPipelines(),
      calls: this.deps.calls,
      log: this.log,
      tools: new ToolCallScope(this.deps.tools, { callSid, ...caller }),
      events: this.deps.events,
      maxCallDurationMs: this.deps.options.maxCallDurationMs,
      idleTimeoutMs: this.deps.options.idleTimeoutMs,
    });
    this.bridge = bridge;
    bridge.start();
    void this.deps.calls.attach(callSid, bridge, streamSid).then(
      (attached) => {
        if (attached) this.log.info('Media stream started');
        else
          bridge.abandon(
            CLOSE.policy,
            'call is not live or already has a media stream',
          );
      },
      (err: Error) => {
        this.log.warn('Could not attach the stream to its call', {
          err: err.message,
        });
        void bridge.end('error');
      },
    );
  }

  private onClose(): void {
    clearTimeout(this.startTimer);
    if (this.bridge && !this.bridge.isEnded)
      void this.bridge.end('stream-stopped');
  }

  private refuse(code: number, reason: string): void {
    clearTimeout(this.startTimer);
    mediaMetrics.rejectedMessages.inc({ reason });
    this.log.warn('Closing media stream', { code, reason });
    if (this.bridge) this.bridge.abandon(code, reason);
    else if (this.socket.readyState === WebSocket.OPEN)
      this.socket.close(code, reason);
  }
}
