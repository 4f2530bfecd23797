import type { LegacyModelTuning } from './live/live-setup';
import type { AgentProfilesConfig } from './profiles/agent-profile';
import type { VadSettings } from './profiles/vad-settings';

/** What the Gemini client needs to open Live sessions; the app maps its validated config onto this. */
export interface GeminiClientOptions {
  /** Gemini API key. Either this or `vertex` must be set. */
  apiKey?: string;
  /** Vertex AI with application default credentials. */
  vertex?: { project: string; location: string };
  /** Overrides the upstream URL: a full ws(s):// URL, or an origin to which the standard path is added. */
  liveUrl?: string;
  /** Model id without prefix, e.g. `gemini-3.8-live` or `gemini-3.8-live-extended-thinking`. */
  model: string;
  /** Prebuilt voice name, e.g. `Kore`. */
  voice: string;
  /** The agent's system instruction. */
  systemInstruction?: string;
  /** How long to wait for `setupComplete` (ms). */
  setupTimeoutMs?: number;
  /** Caller audio kept while the session is still being set up (ms of 16 kHz audio). */
  preReadyBufferMs?: number;
  /** Key for the browser proxy's ephemeral tokens, the same on every instance (derived from the admin key). */
  proxyTokenSecret?: string;
  /**
   * `redis://…` shared by the instances (REDIS_URL): browser tokens spent on one instance are
   * refused on every other. Unset: spent tokens are remembered per process (one instance).
   */
  redisUrl?: string;
  /** Agent profiles by dialled number (AGENT_PROFILES_FILE); unset: one default profile. */
  profiles?: AgentProfilesConfig;
}

export const GEMINI_CLIENT_OPTIONS = 'GEMINI_CLIENT_OPTIONS';

/** Per-session overrides (e.g. an agent profile chosen by the dialled number). */
export interface LiveSessionOverrides {
  systemInstruction?: string;
  voice?: string;
  model?: string;
  /** `tools` of the setup message, as Gemini expects them. */
  tools?: unknown[];
  /** A `sessionResumption` handle to resume. */
  resumptionHandle?: string;
  /** BCP-47 language code for the agent's speech. */
  language?: string;
  /** Voice activity detection (`realtimeInputConfig.automaticActivityDetection`). */
  vad?: VadSettings;
  /** 2.5 native-audio models only (thinking, affective dialog, proactive audio); dropped for 3.8. */
  tuning?: LegacyModelTuning;
}
