import { MEDIA_STREAM_PATH, TwilioSignatureVerifier } from '@app/twilio';
import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { CallSupervisor } from '../lifecycle/call-supervisor.service';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';
import { mediaMetrics } from '../metrics/media.metrics';
import { CLOSE, MediaStreamConnection } from './media-stream.connection';
import { StreamTokenService } from './stream-token.service';

/** Twilio frames are a few hundred bytes; anything near this is not Twilio (bytes). */
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
    private readonly supervisor: CallSupervisor,
    @Inject(MEDIA_GATEWAY_OPTIONS)
    private readonly options: MediaGatewayOptions,
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
        msg: disabled
          ? 'Refused media stream handshake (1008)'
          : `Refused media stream handshake (1008): signature checked against ${this.verifier.streamUrl}; check that WEBHOOK_BASE_URL is the public origin Twilio reaches`,
        reason,
        checkedUrl: disabled ? undefined : this.verifier.streamUrl,
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
      supervisor: this.supervisor,
      startTimeoutMs: this.options.streamStartTimeoutMs,
    });
  }
}
