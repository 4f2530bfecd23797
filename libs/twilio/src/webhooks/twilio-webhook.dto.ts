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
