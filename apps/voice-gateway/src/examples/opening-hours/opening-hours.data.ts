import type { Weekday } from './shop-calendar.util';

/** Local times as `HH:MM` (24-hour) in the shop's time zone. */
export interface OpeningSpan {
  opens: string;
  closes: string;
}

/** A date that differs from the weekly pattern: a holiday closure or shorter hours. */
export type SpecialDay = { date: string; note: string } & (
  { open: false } | ({ open: true } & OpeningSpan)
);

export interface ShopHours {
  /** IANA time zone the hours (and "today") are in. */
  timeZone: string;
  /** `null`: closed that weekday. */
  weekly: Readonly<Record<Weekday, OpeningSpan | null>>;
  /** Looked up by exact date before the weekly pattern. */
  specialDays: readonly SpecialDay[];
}

/**
 * A small shop's hours. This file is the example's "database": replace it with your own data, or
 * replace OpeningHoursRepository to read from a real source.
 */
export const SHOP_HOURS: ShopHours = {
  timeZone: 'Europe/London',
  weekly: {
    monday: { opens: '09:00', closes: '17:30' },
    tuesday: { opens: '09:00', closes: '17:30' },
    wednesday: { opens: '09:00', closes: '17:30' },
    thursday: { opens: '09:00', closes: '19:00' },
    friday: { opens: '09:00', closes: '17:30' },
    saturday: { opens: '10:00', closes: '16:00' },
    sunday: null,
  },
  specialDays: [
    {
      date: '2025-12-24',
      open: true,
      opens: '09:00',
      closes: '13:00',
      note: 'Christmas Eve: closing early',
    },
    { date: '2025-12-25', open: false, note: 'Closed for Christmas Day' },
    { date: '2025-12-26', open: false, note: 'Closed for Boxing Day' },
    { date: '2026-01-01', open: false, note: "Closed for New Year's Day" },
    { date: '2026-04-03', open: false, note: 'Closed for Good Friday' },
    { date: '2026-04-06', open: false, note: 'Closed for Easter Monday' },
    {
      date: '2026-05-04',
      open: false,
      note: 'Closed for the May bank holiday',
    },
    {
      date: '2026-05-25',
      open: false,
      note: 'Closed for the spring bank holiday',
    },
    {
      date: '2026-08-31',
      open: false,
      note: 'Closed for the summer bank holiday',
    },
    {
      date: '2026-12-24',
      open: true,
      opens: '09:00',
      closes: '13:00',
      note: 'Christmas Eve: closing early',
    },
    { date: '2026-12-25', open: false, note: 'Closed for Christmas Day' },
    {
      date: '2026-12-28',
      open: false,
      note: 'Closed for the Boxing Day holiday',
    },
  ],
};
