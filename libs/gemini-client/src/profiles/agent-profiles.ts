import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';
import { AgentToolRegistry } from '../tools/agent-tool.registry';
import type { AgentProfile, AgentProfilesConfig } from './agent-profile';
import { transferTargetProblems } from './transfer-targets';
import { vadProblems } from './vad-settings';

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
