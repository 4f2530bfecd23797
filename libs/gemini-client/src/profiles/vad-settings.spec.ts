import type { GeminiClientOptions } from '../gemini-client.options';
import type { AgentToolRegistry } from '../tools/agent-tool.registry';
import { AgentProfiles } from './agent-profiles';
import { automaticActivityDetection, vadProblems } from './vad-settings';

describe('VadSettings', () => {
  it('accepts high/low and the API enum names, and ms within bounds', () => {
    expect(
      vadProblems({
        startOfSpeechSensitivity: 'low',
        endOfSpeechSensitivity: 'END_SENSITIVITY_HIGH',
        prefixPaddingMs: 0,
        silenceDurationMs: 10_000,
      }),
    ).toEqual([]);
    expect(vadProblems(undefined)).toEqual([]);
  });

  it('names every problem, one per field', () => {
    expect(
      vadProblems({
        startOfSpeechSensitivity: 'LOUD',
        endOfSpeechSensitivity: 'START_SENSITIVITY_LOW',
        prefixPaddingMs: 2.5,
        silenceDurationMs: 50,
        disabled: true,
      }),
    ).toEqual([
      'vad.disabled: unknown field (expected startOfSpeechSensitivity, endOfSpeechSensitivity, prefixPaddingMs, silenceDurationMs)',
      'vad.startOfSpeechSensitivity: must be high, low, START_SENSITIVITY_HIGH or START_SENSITIVITY_LOW',
      'vad.endOfSpeechSensitivity: must be high, low, END_SENSITIVITY_HIGH or END_SENSITIVITY_LOW',
      'vad.prefixPaddingMs: must be a whole number of ms from 0 to 2000',
      'vad.silenceDurationMs: must be a whole number of ms from 100 to 10000',
    ]);
    expect(vadProblems([])).toEqual(['vad: must be an object']);
  });

  it('maps to automaticActivityDetection in the API enum names', () => {
    expect(
      automaticActivityDetection({
        startOfSpeechSensitivity: 'high',
        endOfSpeechSensitivity: 'low',
        prefixPaddingMs: 40,
        silenceDurationMs: 800,
      }),
    ).toEqual({
      startOfSpeechSensitivity: 'START_SENSITIVITY_HIGH',
      endOfSpeechSensitivity: 'END_SENSITIVITY_LOW',
      prefixPaddingMs: 40,
      silenceDurationMs: 800,
    });
    expect(automaticActivityDetection({})).toBeUndefined();
    expect(automaticActivityDetection(undefined)).toBeUndefined();
  });

  it('stops the start when a profile has a bad vad (checked at boot, never at a call)', () => {
    const profiles = new AgentProfiles(
      {
        model: 'gemini-3.8-live',
        voice: 'Kore',
        profiles: {
          default: { name: 'default', vad: { silenceDurationMs: 700 } },
          numbers: {
            '+15550000100': {
              name: 'noisy',
              vad: { startOfSpeechSensitivity: 'medium' as never },
            },
          },
        },
      } satisfies GeminiClientOptions,
      { names: [], profileProblems: () => [] } as unknown as AgentToolRegistry,
    );
    expect(() => profiles.onApplicationBootstrap()).toThrow(
      'Invalid agent profiles:\n  - +15550000100.vad.startOfSpeechSensitivity: must be high, low',
    );
  });
});
