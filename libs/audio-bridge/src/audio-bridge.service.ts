import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { createResampler } from './dsp/create-resampler';
import { Resampler } from './dsp/resampler';
import { AgentAudioPipeline } from './pipeline/agent-audio.pipeline';
import {
  CallerAudioPipeline,
  GEMINI_INPUT_RATE,
  TWILIO_FRAME_MS,
} from './pipeline/caller-audio.pipeline';
import { DEFAULT_GEMINI_OUTPUT_RATE, parsePcmRate } from './pipeline/pcm-mime';

/** Both directions of one call's audio. */
export interface CallAudioPipelines {
  /** Twilio media payload (base64 μ-law 8 kHz) → Gemini realtime input (base64 PCM16 16 kHz). */
  readonly caller: CallerAudioPipeline;
  /** Gemini inline audio (base64 PCM16 at its announced rate) → Twilio media payload. */
  readonly agent: AgentAudioPipeline;
}

/** How the calls' pipelines are built (the app's UPSTREAM_FRAME_MS). */
export interface AudioBridgeOptions {
  /**
   * Caller audio per message to Gemini (ms, a multiple of 20): 20 sends each Twilio frame as it
   * comes; 40 halves the upstream messages at up to 20 ms more latency towards Gemini.
   */
  upstreamFrameMs?: number;
}

/** Injection token for AudioBridgeOptions (optional: unset means 20 ms upstream frames). */
export const AUDIO_BRIDGE_OPTIONS = 'AUDIO_BRIDGE_OPTIONS';

/**
 * Injectable facade over the audio math: hands each call its own stateful pipelines and exposes the
 * resampler factory for other rates. Holds no per-call state itself.
 */
@Injectable()
export class AudioBridgeService implements OnModuleInit {
  /** Caller audio per upstream message (ms). */
  readonly upstreamFrameMs: number;

  constructor(
    @Optional() @Inject(AUDIO_BRIDGE_OPTIONS) options?: AudioBridgeOptions,
  ) {
    this.upstreamFrameMs = options?.upstreamFrameMs ?? TWILIO_FRAME_MS;
  }

  /**
   * Designs the telephone-rate filters (and instantiates the WebAssembly kernels) at boot, so the
   * first call does not wait for it: the minimax design takes a few hundred milliseconds once.
   */
  onModuleInit(): void {
    createResampler(GEMINI_INPUT_RATE / 2, GEMINI_INPUT_RATE).dispose();
    createResampler(
      DEFAULT_GEMINI_OUTPUT_RATE,
      GEMINI_INPUT_RATE / 2,
    ).dispose();
  }

  /**
   * New per-call pipelines; `agentRate` is the rate Gemini is expected to send (Hz, default 24 kHz);
   * caller audio leaves in messages of `upstreamFrameMs` (ms).
   */
  createCallPipelines(
    agentRate = DEFAULT_GEMINI_OUTPUT_RATE,
  ): CallAudioPipelines {
    return {
      caller: new CallerAudioPipeline(GEMINI_INPUT_RATE, this.upstreamFrameMs),
      agent: new AgentAudioPipeline(agentRate),
    };
  }

  /** A streaming resampler for any integer rate pair. */
  createResampler(inRate: number, outRate: number): Resampler {
    return createResampler(inRate, outRate);
  }

  /** Sample rate announced by a PCM mimeType (`audio/pcm;rate=24000`), 24 kHz when absent. */
  rateOf(mimeType: string | undefined): number {
    return parsePcmRate(mimeType);
  }
}
