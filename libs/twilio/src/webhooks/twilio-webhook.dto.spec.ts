import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AmdStatusDto, ANSWERED_BY_VALUES } from './twilio-webhook.dto';

const CALL_SID = `CA${'b'.repeat(32)}`;

function problems(body: Record<string, string>): string[] {
  return validateSync(plainToInstance(AmdStatusDto, body)).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
}

describe('AmdStatusDto (POST /amd-status, Twilio AsyncAmdStatusCallback)', () => {
  it.each(ANSWERED_BY_VALUES)('accepts AnsweredBy=%s', (answeredBy) => {
    expect(
      problems({
        CallSid: CALL_SID,
        AccountSid: `AC${'1'.repeat(32)}`,
        AnsweredBy: answeredBy,
        MachineDetectionDuration: '2315',
      }),
    ).toEqual([]);
  });

  it('names every AnsweredBy Twilio reports', () => {
    expect([...ANSWERED_BY_VALUES].sort()).toEqual([
      'fax',
      'human',
      'machine_end_beep',
      'machine_end_other',
      'machine_end_silence',
      'machine_start',
      'unknown',
    ]);
  });

  it('refuses a bad CallSid, an unknown AnsweredBy and a non-numeric duration, with reasons', () => {
    expect(
      problems({
        CallSid: 'CA123',
        AnsweredBy: 'robot',
        MachineDetectionDuration: '2.5s',
      }),
    ).toEqual([
      'CallSid must be "CA" followed by 32 hex digits',
      expect.stringMatching(
        /^AnsweredBy must be one of human, machine_start/,
      ) as string,
      'MachineDetectionDuration must be a whole number of milliseconds',
    ]);
    expect(problems({ CallSid: CALL_SID })).toEqual([
      expect.stringMatching(/^AnsweredBy must be one of/) as string,
    ]);
  });
});
