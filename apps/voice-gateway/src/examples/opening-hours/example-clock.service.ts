import { Injectable } from '@nestjs/common';

/** The wall clock for the example tools, behind a class so tests can hand in a fixed time. */
@Injectable()
export class ExampleClock {
  now(): Date {
    return new Date();
  }
}
