/** Pure calendar arithmetic for the opening-hours example: no Nest, no clock, no I/O. */

export type Weekday =
  | 'sunday'
  | 'monday'
  | 'tuesday'
  | 'wednesday'
  | 'thursday'
  | 'friday'
  | 'saturday';

/** Indexed like `Date#getUTCDay()`: 0 is Sunday. */
export const WEEKDAYS: readonly Weekday[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

const DAY_MS = 86_400_000;

export function isWeekday(value: string): value is Weekday {
  return (WEEKDAYS as readonly string[]).includes(value);
}

/** The calendar date (`YYYY-MM-DD`) at `instant` in the IANA time zone `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The weekday of a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[toUtcMidnight(date).getUTCDay()];
}

/** The first date on or after `from` (`YYYY-MM-DD`) that falls on `weekday`. */
export function nextDateOn(weekday: Weekday, from: string): string {
  const start = toUtcMidnight(from);
  const ahead = (WEEKDAYS.indexOf(weekday) - start.getUTCDay() + 7) % 7;
  return new Date(start.getTime() + ahead * DAY_MS).toISOString().slice(0, 10);
}

function toUtcMidnight(date: string): Date {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(parsed.getTime())) {
    throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  }
  return parsed;
}
