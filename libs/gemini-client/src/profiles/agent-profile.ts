import type { TransferTargets } from './transfer-targets';
import type { VadSettings } from './vad-settings';

/** How the agent behaves on one phone number. Unset fields fall back to the default profile. */
export interface AgentProfile {
  name: string;
  systemInstruction?: string;
  voice?: string;
  /** BCP-47 language code for the agent's speech, e.g. `en-US`, `de-DE`. */
  language?: string;
  model?: string;
  /**
   * Tools the agent may call (names of `@AgentTool`s); unset: all of them except the opt-in ones
   * (the built-in `end_call` and `transfer_call`), which are declared only when listed.
   */
  tools?: string[];
  /** What the agent says first when a call connects. */
  greeting?: string;
  /**
   * Outbound calls (`POST /calls`) that an answering machine takes: what the agent says, word for
   * word, after the beep; then the call ends. Unset: a short built-in message.
   */
  voicemailMessage?: string;
  /** `transfer_call`'s only destinations: name → E.164 number or SIP URI (see TransferTargets). */
  transferTargets?: TransferTargets;
  /** Record this profile's calls (2-channel WAV); unset: the deployment's RECORDING setting. */
  recording?: boolean;
  /** Voice activity detection (sensitivities, prefix padding and silence in ms); see VadSettings. */
  vad?: VadSettings;
}

/** The profiles file: a default and per-number overrides keyed by the dialled (`To`) number. */
export interface AgentProfilesConfig {
  default: AgentProfile;
  numbers: Record<string, AgentProfile>;
}
