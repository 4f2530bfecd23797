import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const recordingConfig = registerAs('recording', () => {
  const env = parseEnv(process.env);
  return {
    /** RECORDING=on: record calls whose agent profile does not set `recording`. Default off. */
    enabled: env.RECORDING === 'on',
    /** Where the WAVs and their sidecars go (relative to the working directory). */
    dir: env.RECORDINGS_DIR,
    /** Recordings older than this many days are deleted (hourly, and at start); 0 keeps them. */
    retentionDays: env.RECORDING_RETENTION_DAYS,
  };
});

export type RecordingConfig = ConfigType<typeof recordingConfig>;
