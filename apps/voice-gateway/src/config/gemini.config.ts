import { ConfigType, registerAs } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { loadAgentProfiles } from './agent-profiles.loader';
import { parseEnv } from './env.validation';

/** Used when neither GEMINI_SYSTEM_INSTRUCTION nor GEMINI_SYSTEM_INSTRUCTION_FILE is set. */
export const DEFAULT_SYSTEM_INSTRUCTION =
  'You are a friendly, concise voice assistant answering phone calls. Keep answers short and spoken-style, ' +
  'ask one question at a time, and never read out URLs or long numbers unless asked.';

function systemInstruction(inline?: string, file?: string): string {
  if (inline) return inline;
  if (!file) return DEFAULT_SYSTEM_INSTRUCTION;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(
      `Invalid environment:\n  - GEMINI_SYSTEM_INSTRUCTION_FILE: cannot read ${JSON.stringify(file)} (${(err as Error).message})`,
    );
  }
}

export const geminiConfig = registerAs('gemini', () => {
  const env = parseEnv(process.env);
  const vertex =
    env.GOOGLE_CLOUD_PROJECT && env.GOOGLE_CLOUD_LOCATION
      ? {
          project: env.GOOGLE_CLOUD_PROJECT,
          location: env.GOOGLE_CLOUD_LOCATION,
        }
      : undefined;
  const instruction = systemInstruction(
    env.GEMINI_SYSTEM_INSTRUCTION,
    env.GEMINI_SYSTEM_INSTRUCTION_FILE,
  );
  return {
    apiKey: env.GEMINI_API_KEY,
    /** Vertex AI (application default credentials) when set and no API key is. */
    vertex,
    model: env.GEMINI_MODEL,
    voice: env.GEMINI_VOICE,
    /** Overrides the upstream WebSocket URL (emulators, regional endpoints). */
    liveUrl: env.GEMINI_LIVE_URL,
    systemInstruction: instruction,
    /** Agent profiles by dialled number; without a file, one default profile from the values above. */
    profiles: env.AGENT_PROFILES_FILE
      ? loadAgentProfiles(env.AGENT_PROFILES_FILE, {
          name: 'default',
          systemInstruction: instruction,
        })
      : undefined,
  };
});

export type GeminiConfig = ConfigType<typeof geminiConfig>;
