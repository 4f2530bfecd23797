// How the console words a call's fields: local dates, durations, end reasons, transfers.

const CLOCK = { hour: '2-digit', minute: '2-digit', second: '2-digit' };
const FORMATS = {
  /** Nov 29, 2026, 02:33:47 PM (the call page). */
  long: new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...CLOCK,
  }),
  /** Nov 29, 02:33:47 PM (tables: this year's dates without the year). */
  short: new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    ...CLOCK,
  }),
  time: new Intl.DateTimeFormat(undefined, CLOCK),
};

/**
 * A `<time>` element: the local date and time (`long`, `short`, or `time` only), the ISO value in
 * `datetime`, the full date in its tooltip.
 */
export function timeElement(iso, style = 'long') {
  const el = document.createElement('time');
  if (!iso) return el;
  const date = new Date(iso);
  const thisYear = date.getFullYear() === new Date().getFullYear();
  const format = FORMATS[style === 'short' && !thisYear ? 'long' : style];
  el.dateTime = iso;
  el.title = date.toString();
  el.textContent = format.format(date);
  return el;
}

export function localTime(iso) {
  return iso ? FORMATS.time.format(new Date(iso)) : '';
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function duration(seconds) {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The call's length: the record's own figure, else end minus answer (or start). */
export function callSeconds(record) {
  if (record.durationSeconds !== undefined) return record.durationSeconds;
  if (!record.endedAt) return undefined;
  const from = Date.parse(record.answeredAt ?? record.startedAt);
  return (Date.parse(record.endedAt) - from) / 1000;
}

const END_REASONS = {
  'caller-hangup': 'caller hung up',
  'agent-hangup': 'agent hung up',
  transferred: 'transferred to a person',
  'stream-stopped': 'stream stopped',
  admin: 'ended by an operator',
  'agent-closed': 'agent connection closed',
  'max-duration': 'reached the maximum duration',
  'idle-timeout': 'no audio (idle timeout)',
  'stream-never-started': 'stream never started',
  shutdown: 'service shut down',
  error: 'error',
  refused: 'refused',
  'instance-lost': 'instance lost',
  voicemail: 'voicemail left',
  fax: 'fax answered',
  'not-answered': 'not answered',
};

export function endReason(code) {
  return code ? (END_REASONS[code] ?? code) : '';
}

const ANSWERED_BY = {
  human: 'a person',
  machine_start: 'a machine',
  machine_end_beep: 'a machine (beep)',
  machine_end_silence: 'a machine (silence)',
  machine_end_other: 'a machine',
  fax: 'a fax',
  unknown: 'unknown',
};

export function answeredBy(value) {
  return value ? (ANSWERED_BY[value] ?? value) : '';
}

export function direction(record) {
  return record.direction ?? 'inbound';
}

/** `answered`, `not answered (busy)`, `dialing…`. */
export function transferOutcome(transfer) {
  if (transfer.state === 'answered') return 'answered';
  if (transfer.state === 'dialing') return 'dialing…';
  const status = transfer.dialStatus?.replace('-', ' ');
  return status && status !== 'completed'
    ? `not answered (${status})`
    : 'not answered';
}

/** The last transfer of a record, worded for a table cell; '' without one. */
export function transferSummary(record) {
  const last = record.transfers?.at(-1);
  if (!last) return '';
  const more =
    record.transfers.length > 1 ? ` (${record.transfers.length})` : '';
  return `${last.target}: ${transferOutcome(last)}${more}`;
}
