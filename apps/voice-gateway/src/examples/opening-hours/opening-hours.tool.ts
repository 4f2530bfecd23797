import { AgentTool, type ToolCallContext } from '@app/gemini-client';
import { Injectable } from '@nestjs/common';
import { abortable } from './abortable.util';
import { ExampleClock } from './example-clock.service';
import type { ShopHours } from './opening-hours.data';
import { OpeningHoursRepository } from './opening-hours.repository';
import {
  isWeekday,
  localDate,
  nextDateOn,
  WEEKDAYS,
  weekdayOf,
  type Weekday,
} from './shop-calendar.util';

export interface OpeningHoursArgs {
  /** A weekday name (the next one on or after today) or "today"; default "today". */
  day?: string;
}

/** What the model speaks from. `opens`/`closes` only when open; `note` for holidays and special hours. */
export interface OpeningHoursAnswer {
  day: Weekday;
  /** `YYYY-MM-DD` the answer is for, in the shop's time zone. */
  date: string;
  open: boolean;
  opens?: string;
  closes?: string;
  note?: string;
}

// Monday first reads better to the model than the Date index order.
const DAY_ENUM = [...WEEKDAYS.slice(1), WEEKDAYS[0], 'today'];

/** Answers "are you open on …?" from the shop's weekly hours and holiday closures. */
@Injectable()
export class OpeningHoursTool {
  constructor(
    private readonly repository: OpeningHoursRepository,
    private readonly clock: ExampleClock,
  ) {}

  @AgentTool({
    name: 'opening_hours',
    description:
      'Opening hours of the shop for today or for the next given weekday, including holiday ' +
      'closures and shorter hours. Use it whenever the caller asks when the shop is open.',
    parameters: {
      type: 'object',
      properties: {
        day: {
          type: 'string',
          enum: DAY_ENUM,
          description: 'Lower-case weekday name, or "today". Omit for today.',
        },
      },
    },
    timeoutMs: 2000,
  })
  async openingHours(
    args: OpeningHoursArgs,
    context: ToolCallContext,
  ): Promise<OpeningHoursAnswer> {
    context.signal.throwIfAborted();
    const requested = (args.day ?? 'today').trim().toLowerCase();
    if (requested !== 'today' && !isWeekday(requested)) {
      throw new Error('day must be a weekday name or "today"');
    }
    const shop = await abortable(
      this.repository.getShopHours(),
      context.signal,
    );
    const today = localDate(this.clock.now(), shop.timeZone);
    const date = requested === 'today' ? today : nextDateOn(requested, today);
    return hoursOn(shop, date);
  }
}

function hoursOn(shop: ShopHours, date: string): OpeningHoursAnswer {
  const day = weekdayOf(date);
  const special = shop.specialDays.find((s) => s.date === date);
  if (special) {
    return special.open
      ? {
          day,
          date,
          open: true,
          opens: special.opens,
          closes: special.closes,
          note: special.note,
        }
      : { day, date, open: false, note: special.note };
  }
  const span = shop.weekly[day];
  return span
    ? { day, date, open: true, opens: span.opens, closes: span.closes }
    : { day, date, open: false };
}
