import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const geminiConfig = registerAs('gemini', () => {
  const env = parseEnv(process.env);
  return {
    apiKey: env.GEMINI_API_KEY,
    /** Vertex AI (application default credentials) when set. */
    project: env.GOOGLE_CLOUD_PROJECT,
    location: env.GOOGLE_CLOUD_LOCATION,
    model: env.GEMINI_MODEL,
    voice: env.GEMINI_VOICE,
    /** Overrides the upstream WebSocket URL (emulators, regional endpoints). */
    liveUrl: env.GEMINI_LIVE_URL,
    systemInstruction: env.GEMINI_SYSTEM_INSTRUCTION,
    systemInstructionFile: env.GEMINI_SYSTEM_INSTRUCTION_FILE,
  };
});

export type GeminiConfig = ConfigType<typeof geminiConfig>;
