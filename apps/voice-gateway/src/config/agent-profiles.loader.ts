import {
  transferTargetProblems,
  vadProblems,
  type AgentProfile,
  type AgentProfilesConfig,
  type VadSettings,
} from '@app/gemini-client';
import { plainToInstance } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  validateSync,
} from 'class-validator';
import { readFileSync } from 'node:fs';

/** One profile in the AGENT_PROFILES_FILE (JSON). */
class AgentProfileEntry {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;

  @IsOptional()
  @IsString()
  systemInstruction?: string;

  @IsOptional()
  @IsString()
  voice?: string;

  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Z]{2})?$/, {
    message: 'language must be a BCP-47 code such as en-US',
  })
  language?: string;

  @IsOptional()
  @IsString()
  model?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tools?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  greeting?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  voicemailMessage?: string;

  @IsOptional()
  @IsBoolean({ message: 'recording must be true or false' })
  recording?: boolean;

  /** Checked by transferTargetProblems (names; E.164 numbers or SIP URIs). */
  @Allow()
  transferTargets?: Record<string, string>;

  /** Checked field by field by vadProblems (sensitivities, ms bounds). */
  @Allow()
  vad?: VadSettings;
}

const E164 = /^\+[1-9]\d{1,14}$/;

function check(
  where: string,
  value: unknown,
  problems: string[],
): AgentProfile | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where}: must be an object`);
    return undefined;
  }
  const entry = plainToInstance(AgentProfileEntry, value);
  for (const error of validateSync(entry, {
    whitelist: true,
    forbidNonWhitelisted: true,
  })) {
    const messages = Object.values(error.constraints ?? {});
    problems.push(`${where}.${error.property}: ${messages.join('; ')}`);
  }
  for (const problem of vadProblems(entry.vad))
    problems.push(`${where}.${problem}`);
  // The file's own object: class-transformer drops a `__proto__` key before validation sees it.
  for (const problem of transferTargetProblems(
    (value as Record<string, unknown>).transferTargets,
  ))
    problems.push(`${where}.${problem}`);
  return entry;
}

/**
 * Reads and validates the agent profiles file: `{"default": {…}, "numbers": {"+1555…": {…}}}`.
 * Throws one Error listing every problem (file, JSON, each field), like the environment check.
 */
export function loadAgentProfiles(
  path: string,
  fallback: AgentProfile,
): AgentProfilesConfig {
  const fail = (problems: string[]): never => {
    throw new Error(
      `Invalid AGENT_PROFILES_FILE (${path}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail([(err as Error).message]);
  }
  const problems: string[] = [];
  const file = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(file)) {
    if (key !== 'default' && key !== 'numbers')
      problems.push(`${key}: unknown key (expected default, numbers)`);
  }
  const defaults =
    file.default === undefined
      ? { name: 'default' }
      : check('default', file.default, problems);
  const numbers: Record<string, AgentProfile> = {};
  const byNumber = file.numbers ?? {};
  if (
    typeof byNumber !== 'object' ||
    byNumber === null ||
    Array.isArray(byNumber)
  ) {
    problems.push('numbers: must be an object keyed by E.164 number');
  } else {
    for (const [number, profile] of Object.entries(byNumber)) {
      if (!E164.test(number))
        problems.push(
          `numbers.${number}: key must be an E.164 number such as +14155550100`,
        );
      const checked = check(`numbers.${number}`, profile, problems);
      if (checked) numbers[number] = checked;
    }
  }
  if (problems.length > 0 || !defaults) return fail(problems);
  return { default: { ...fallback, ...stripUndefined(defaults) }, numbers };
}

function stripUndefined(profile: AgentProfile): AgentProfile {
  return Object.fromEntries(
    Object.entries(profile).filter(([, v]) => v !== undefined),
  ) as unknown as AgentProfile;
}
