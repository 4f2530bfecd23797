import { Module } from '@nestjs/common';
import { AudioBridgeService } from './audio-bridge.service';
import { MulawCodecService } from './mulaw-codec.service';

/** Audio conversion between Twilio's 8 kHz μ-law and Gemini's PCM rates. Depends on nothing else. */
@Module({
  providers: [AudioBridgeService, MulawCodecService],
  exports: [AudioBridgeService, MulawCodecService],
})
export class AudioBridgeModule {}
