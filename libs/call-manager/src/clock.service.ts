import { Injectable } from '@nestjs/common';

/** The wall clock, behind a class so tests can hand in a fake. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
