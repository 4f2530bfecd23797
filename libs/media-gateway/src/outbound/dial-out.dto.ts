import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

/** E.164: `+`, a country code that does not start with 0, at most 15 digits (ITU-T E.164 §6). */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** A SIP URI as Twilio dials it: `sip:user@host`, optional `;params` (RFC 3261 §19.1, simplified). */
export const SIP_URI =
  /^sips?:[^\s@<>"]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s<>"]*)?$/;

/** Body of `POST /calls`: whom to call, as whom, with which agent profile. */
export class DialOutDto {
  @IsString()
  @MaxLength(256)
  @Matches(new RegExp(`${E164.source}|${SIP_URI.source}`), {
    message:
      'to must be an E.164 number such as +14155550100 or a SIP URI such as sip:alice@pbx.example.com',
  })
  to!: string;

  /** An agent profile's `name` (AGENT_PROFILES_FILE); unset: the default profile. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  profile?: string;

  /** The caller ID, a number of this Twilio account; unset: TWILIO_PHONE_NUMBER. */
  @IsOptional()
  @IsString()
  @Matches(E164, {
    message: 'from must be an E.164 number such as +14155550100',
  })
  from?: string;
}
