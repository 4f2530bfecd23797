import { AdminGuard } from '@app/call-manager';
import { LiveTokenService } from '@app/gemini-client';
import { Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';

/**
 * `POST /live/tokens` (admin key): an ephemeral token for the browser proxy. The browser passes it as
 * `key` to `WS /live/…`; it starts one session within a minute and never reveals the Google credential.
 */
@Controller('live')
@UseGuards(AdminGuard)
export class LiveTokensController {
  constructor(private readonly tokens: LiveTokenService) {}

  @Post('tokens')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  mint(): { token: string; expireTime: string } {
    return this.tokens.mint();
  }
}
