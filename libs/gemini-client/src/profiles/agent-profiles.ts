import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';
import { AgentToolRegistry } from '../tools/agent-tool.registry';
import { TransferTargets, transferTargetProblems } from './transfer-targets';
import { VadSettings, vadProblems } from './vad-settings';

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

/** Picks the agent profile for a call by the number the caller dialled. */
@Injectable()
export class AgentProfiles implements OnApplicationBootstrap {
  private readonly config: AgentProfilesConfig;

  constructor(
    @Inject(GEMINI_CLIENT_OPTIONS) options: GeminiClientOptions,
    private readonly tools: AgentToolRegistry,
  ) {
    this.config = options.profiles ?? {
      default: { name: 'default' },
      numbers: {},
    };
  }

  /**
   * Every tool a profile names must exist (checked once all modules have registered theirs), and its
   * `vad` must be usable: a bad profile stops the start, it never fails a call's setup.
   */
  onApplicationBootstrap(): void {
    const known = new Set(this.tools.names);
    const problems: string[] = [];
    const profiles: Array<[string, AgentProfile]> = [
      ['default', this.config.default],
      ...Object.entries(this.config.numbers),
    ];
    for (const [where, profile] of profiles) {
      for (const problem of vadProblems(profile.vad))
        problems.push(`  - ${where}.${problem}`);
      for (const problem of transferTargetProblems(profile.transferTargets))
        problems.push(`  - ${where}.${problem}`);
      // As calls get it: a number's profile inherits the default's fields (targets, tools).
      const merged = where === 'default' ? profile : this.merged(profile);
      for (const problem of this.tools.profileProblems(merged))
        problems.push(`  - ${where}: ${problem}`);
      for (const tool of profile.tools ?? []) {
        if (!known.has(tool)) {
          problems.push(
            `  - ${where}: unknown tool "${tool}" (known: ${[...known].join(', ') || 'none'})`,
          );
        }
      }
    }
    if (problems.length > 0)
      throw new Error(`Invalid agent profiles:\n${problems.join('\n')}`);
  }

  /**
   * Outbound calls (`POST /calls`): the profile whose `name` is `name` (the default profile's own
   * name included), merged over the default profile; unset: the default profile; undefined when no
   * profile has that name.
   */
  byName(name: string | undefined): AgentProfile | undefined {
    if (name === undefined || name === this.config.default.name)
      return this.config.default;
    const found = Object.values(this.config.numbers).find(
      (profile) => profile.name === name,
    );
    return found && this.merged(found);
  }

  /** Every profile's name, default first, each once (for error messages). */
  get names(): string[] {
    const all = [this.config.default, ...Object.values(this.config.numbers)];
    return [...new Set(all.map((profile) => profile.name))];
  }

  /** The profile for `dialled`, merged over the default profile. */
  resolve(dialled: string | undefined): AgentProfile {
    const specific = dialled ? this.config.numbers[dialled] : undefined;
    return specific ? this.merged(specific) : this.config.default;
  }

  private merged(specific: AgentProfile): AgentProfile {
    const merged: AgentProfile = { ...this.config.default };
    for (const [key, value] of Object.entries(specific)) {
      if (value !== undefined)
        (merged as unknown as Record<string, unknown>)[key] = value;
    }
    return merged;
  }
}
