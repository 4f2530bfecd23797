import type { AnsweredBy } from '@app/call-manager';
import {
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/** Fields of Twilio's voice webhook the service uses; Twilio sends more, which are ignored. */
export class IncomingCallDto {
  @Matches(CALL_SID, {
    message: 'CallSid must be "CA" followed by 32 hex digits',
  })
  CallSid!: string;

  @IsString()
  @MaxLength(64)
  AccountSid!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  From?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  To?: string;

  @IsOptional()
  @IsString()
  CallStatus?: string;
}

/** Twilio's status callback. */
export class CallStatusDto {
  @Matches(CALL_SID, {
    message: 'CallSid must be "CA" followed by 32 hex digits',
  })
  CallSid!: string;

  @IsString()
  @MaxLength(32)
  CallStatus!: string;

  @IsOptional()
  @Matches(/^\d+$/, {
    message: 'CallDuration must be a whole number of seconds',
  })
  CallDuration?: string;
}

/** Every `AnsweredBy` Twilio's answering-machine detection reports. */
export const ANSWERED_BY_VALUES: readonly AnsweredBy[] = [
  'human',
  'machine_start',
  'machine_end_beep',
  'machine_end_silence',
  'machine_end_other',
  'fax',
  'unknown',
];

/**
 * Twilio's asynchronous answering-machine detection callback (`AsyncAmdStatusCallback`):
 * CallSid, AccountSid, AnsweredBy, MachineDetectionDuration (ms).
 */
export class AmdStatusDto {
  @Matches(CALL_SID, {
    message: 'CallSid must be "CA" followed by 32 hex digits',
  })
  CallSid!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  AccountSid?: string;

  @IsIn(ANSWERED_BY_VALUES, {
    message: `AnsweredBy must be one of ${ANSWERED_BY_VALUES.join(', ')}`,
  })
  AnsweredBy!: AnsweredBy;

  @IsOptional()
  @Matches(/^\d{1,7}$/, {
    message: 'MachineDetectionDuration must be a whole number of milliseconds',
  })
  MachineDetectionDuration?: string;
}

/** Twilio's DialCallStatus values (`<Dial action>` request). */
export const DIAL_CALL_STATUSES = [
  'completed',
  'answered',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;

/**
 * A transfer's `<Dial action>` request: the call that ran `<Dial>` (CallSid), how the dial ended
 * (DialCallStatus) and, when it connected, for how long (DialCallDuration, seconds).
 */
export class TransferStatusDto {
  @Matches(CALL_SID, {
    message: 'CallSid must be "CA" followed by 32 hex digits',
  })
  CallSid!: string;

  @IsIn(DIAL_CALL_STATUSES, {
    message: `DialCallStatus must be one of ${DIAL_CALL_STATUSES.join(', ')}`,
  })
  DialCallStatus!: (typeof DIAL_CALL_STATUSES)[number];

  @IsOptional()
  @Matches(/^\d{1,7}$/, {
    message: 'DialCallDuration must be a whole number of seconds',
  })
  DialCallDuration?: string;
}

/** The whisper URL's query (built by the service, signed by Twilio when it calls): whose call, what to say. */
export class TransferWhisperQuery {
  @Matches(CALL_SID, {
    message: 'callSid must be "CA" followed by 32 hex digits',
  })
  callSid!: string;

  @IsString()
  @MaxLength(1000)
  summary!: string;
}
