import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
