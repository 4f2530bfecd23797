import { IsString, Matches } from 'class-validator';
import {
  CALL_SID_FORMAT_MESSAGE,
  CALL_SID_PATTERN,
} from '../call-manager.constants';

/** Body of `POST /end-call`. */
export class EndCallDto {
  @IsString()
  @Matches(CALL_SID_PATTERN, { message: CALL_SID_FORMAT_MESSAGE })
  callSid!: string;
}
