import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import { AgentToolRegistry } from '@app/gemini-client';
import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { PendingSessions } from '../bridge/pending-sessions.service';
import { TwilioSignatureVerifier } from '../signature/twilio-signature.verifier';
import {
  MEDIA_STREAM_PATH,
  TWILIO_OPTIONS,
  TwilioOptions,
} from '../twilio.options';
import { mediaMetrics } from '../metrics/media.metrics';
import { CLOSE, MediaStreamConnection } from './media-stream.connection';
import { StreamTokenService } from './stream-token.service';

/** Twilio frames are a few hundred bytes; anything near this is not Twilio. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * `WS /media-stream` on the HTTP port. Guards do not run on WebSocket connects, so the handshake's
 * X-Twilio-Signature is checked here and a bad one is closed with 1008 before any Gemini session is
 * touched. Frames are handled by a per-connection listener (Twilio frames have no `data` key, so Nest's
 * `{event, data}` dispatch does not fit the audio path).
 */
@WebSocketGateway({
  path: MEDIA_STREAM_PATH,
  maxPayload: MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
})
export class MediaStreamGateway implements OnGatewayConnection<WebSocket> {
  private readonly logger = new Logger(MediaStreamGateway.name);

  constructor(
    private readonly verifier: TwilioSignatureVerifier,
    private readonly tokens: StreamTokenService,
    private readonly pending: PendingSessions,
    private readonly calls: CallsService,
    private readonly audio: AudioBridgeService,
    private readonly tools: AgentToolRegistry,
    private readonly events: CallEvents,
    @Inject(TWILIO_OPTIONS) private readonly options: TwilioOptions,
  ) {}

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const disabled = this.verifier.disabledReason;
    const signature = request.headers['x-twilio-signature'];
    if (
      disabled ||
      !this.verifier.verifyStream(
        typeof signature === 'string' ? signature : undefined,
      )
    ) {
      const reason = disabled ?? 'invalid or missing X-Twilio-Signature';
      this.logger.warn({
        msg: 'Refused media stream handshake',
        reason,
        remote: request.socket.remoteAddress,
      });
      mediaMetrics.rejectedMessages.inc({
        reason: disabled ? 'twilio-disabled' : 'bad-signature',
      });
      client.close(CLOSE.policy, reason);
      return;
    }
    new MediaStreamConnection(client, {
      tokens: this.tokens,
      pending: this.pending,
      calls: this.calls,
      audio: this.audio,
      tools: this.tools,
      events: this.events,
      options: this.options,
    });
  }
}
