import { Inject, Injectable } from '@nestjs/common';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
  LiveSessionOverrides,
} from './gemini-client.options';
import { GeminiLiveSession, LiveSession } from './live/gemini-live-session';
import { buildSetupMessage } from './live/live-setup';
import { ResilientLiveSession } from './live/resilient-live-session';
import type { AgentProfile } from './profiles/agent-profile';
import { AgentToolRegistry } from './tools/agent-tool.registry';
import { GeminiConnector } from './upstream/gemini-connector';

const DEFAULT_SETUP_TIMEOUT_MS = 10_000;
const DEFAULT_PRE_READY_BUFFER_MS = 5_000;
/** Twilio frames are 20 ms: one queued message each. */
const FRAME_MS = 20;

/** Opens Gemini Live sessions configured for the phone agent. */
@Injectable()
export class GeminiLiveService {
  constructor(
    @Inject(GEMINI_CLIENT_OPTIONS)
    private readonly options: GeminiClientOptions,
    private readonly connector: GeminiConnector,
    private readonly tools: AgentToolRegistry,
  ) {}

  /** Why no session can be opened (no Gemini credentials), or undefined when sessions can be. */
  get disabledReason(): string | undefined {
    return this.connector.disabledReason;
  }

  /**
   * Starts connecting at once and returns the call's session, which survives goAway and dropped
   * connections by resuming (see ResilientLiveSession); listen for `ready` / `closed`.
   */
  open(overrides: LiveSessionOverrides = {}): LiveSession {
    return new ResilientLiveSession((handle) =>
      this.connectOnce({
        ...overrides,
        resumptionHandle: handle ?? overrides.resumptionHandle,
      }),
    );
  }

  /**
   * The session for one call with its agent profile: instruction, voice, language, model, voice
   * activity detection and the profile's tools (all `@AgentTool`s when it names none).
   *
   * The greeting request is queued now, so it is the first client message after `setup` and goes out
   * the moment `setupComplete` arrives (nothing may be sent before it). A session opened early, at the
   * webhook, is held by its call: the greeting's audio waits in the hold buffer and plays as soon as
   * the media stream starts, instead of being asked for only then.
   */
  openForCall(profile: AgentProfile): LiveSession {
    const session = this.open({
      systemInstruction: profile.systemInstruction,
      voice: profile.voice,
      model: profile.model,
      language: profile.language,
      tools: this.tools.declarations(profile),
      vad: profile.vad,
    });
    if (profile.greeting)
      session.sendText(
        `The caller has just been connected. Greet them by saying: "${profile.greeting}"`,
      );
    return session;
  }

  /** One upstream connection, no continuity. */
  connectOnce(overrides: LiveSessionOverrides = {}): GeminiLiveSession {
    const setup = buildSetupMessage({
      model: this.connector.modelName(overrides.model),
      voice: overrides.voice ?? this.options.voice,
      systemInstruction:
        overrides.systemInstruction ?? this.options.systemInstruction,
      tools: overrides.tools,
      resumptionHandle: overrides.resumptionHandle,
      language: overrides.language,
      api: this.connector.usesVertex ? 'vertex' : 'gemini',
      vad: overrides.vad,
      tuning: overrides.tuning,
    });
    return new GeminiLiveSession(this.connector.connect(), setup, {
      setupTimeoutMs: this.options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      maxPending: Math.ceil(
        (this.options.preReadyBufferMs ?? DEFAULT_PRE_READY_BUFFER_MS) /
          FRAME_MS,
      ),
    });
  }
}
