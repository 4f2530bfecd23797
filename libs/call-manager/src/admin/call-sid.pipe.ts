import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import {
  CALL_SID_FORMAT_MESSAGE,
  CALL_SID_PATTERN,
} from '../call-manager.constants';

/** Route parameter check: a Twilio Call SID ("CA" and 32 hex digits), else 400. */
@Injectable()
export class CallSidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !CALL_SID_PATTERN.test(value)) {
      throw new BadRequestException(CALL_SID_FORMAT_MESSAGE);
    }
    return value;
  }
}
