import type { Insertable, Updateable } from 'kysely';
import type {
  AnsweredBy,
  CallDirection,
  CallEndReason,
  CallRecord,
  CallStatus,
  CallTokenUsage,
  CallTransfer,
  TranscriptEntry,
  TranscriptRole,
  TurnLatency,
} from '../call.types';
import type { CallsTable } from './call-store.schema';

/**
 * CallRecord fields and the columns update() may set (callSid, transcript and
 * transcriptLinesLost are handled apart).
 */
const COLUMNS = {
  from: 'from_number',
  to: 'to_number',
  status: 'status',
  startedAt: 'started_at',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  durationSeconds: 'duration_seconds',
  endReason: 'end_reason',
  twilioStatus: 'twilio_status',
  direction: 'direction',
  answeredBy: 'answered_by',
} as const satisfies Partial<Record<keyof CallRecord, keyof CallsTable>>;

/** A `calls` row as read back (transcript_count aside). */
export type CallRow = Pick<
  CallsTable,
  | 'call_sid'
  | 'gemini_usage'
  | 'transfers'
  | 'turn_latencies'
  | (typeof COLUMNS)[keyof typeof COLUMNS]
> & { transcript_lines_lost: number | string };

/** The `calls` row for a new record (transcript entries are inserted apart). */
export function insertRow(record: CallRecord): Insertable<CallsTable> {
  return {
    call_sid: record.callSid,
    from_number: record.from,
    to_number: record.to,
    status: record.status,
    started_at: record.startedAt,
    answered_at: record.answeredAt ?? null,
    ended_at: record.endedAt ?? null,
    duration_seconds: record.durationSeconds ?? null,
    end_reason: record.endReason ?? null,
    twilio_status: record.twilioStatus ?? null,
    direction: record.direction ?? null,
    answered_by: record.answeredBy ?? null,
    gemini_usage: record.usage ? JSON.stringify(record.usage) : null,
    transfers: record.transfers ? JSON.stringify(record.transfers) : null,
    turn_latencies: record.turnLatencies
      ? JSON.stringify(record.turnLatencies)
      : null,
    transcript_count: record.transcript.length,
    transcript_lines_lost: Math.max(
      0,
      Math.floor(record.transcriptLinesLost ?? 0),
    ),
  };
}

/** The columns a patch sets: known fields only; see CallStore.update for what is ignored. */
export function patchColumns(
  patch: Partial<CallRecord>,
): Updateable<CallsTable> {
  const set: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(COLUMNS)) {
    const value = patch[field as keyof typeof COLUMNS];
    if (value !== undefined) set[column] = value;
  }
  if (patch.usage !== undefined) set.gemini_usage = JSON.stringify(patch.usage);
  if (patch.transfers !== undefined)
    set.transfers = JSON.stringify(patch.transfers);
  if (patch.turnLatencies !== undefined)
    set.turn_latencies = JSON.stringify(patch.turnLatencies);
  return set;
}

/** A row and its transcript as a CallRecord (optional fields absent when NULL or 0 lost). */
export function toRecord(
  row: CallRow,
  transcript: TranscriptEntry[],
): CallRecord {
  const record: CallRecord = {
    callSid: row.call_sid,
    from: row.from_number,
    to: row.to_number,
    status: row.status as CallStatus,
    startedAt: row.started_at,
    transcript,
  };
  if (row.answered_at !== null) record.answeredAt = row.answered_at;
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  if (row.duration_seconds !== null) {
    record.durationSeconds = Number(row.duration_seconds);
  }
  if (row.end_reason !== null) {
    record.endReason = row.end_reason as CallEndReason;
  }
  if (row.twilio_status !== null) record.twilioStatus = row.twilio_status;
  if (row.direction !== null) record.direction = row.direction as CallDirection;
  if (row.answered_by !== null) {
    record.answeredBy = row.answered_by as AnsweredBy;
  }
  const lost = Number(row.transcript_lines_lost);
  if (lost > 0) record.transcriptLinesLost = lost;
  const usage = parseJson(row.gemini_usage);
  if (usage && !Array.isArray(usage)) record.usage = usage as CallTokenUsage;
  const transfers = parseJson(row.transfers);
  if (Array.isArray(transfers)) record.transfers = transfers as CallTransfer[];
  const latencies = parseJson(row.turn_latencies);
  if (Array.isArray(latencies))
    record.turnLatencies = latencies as TurnLatency[];
  return record;
}

/** A stored JSON column; undefined when NULL or not readable (a damaged row loses only that). */
function parseJson(text: string | null): object | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

export function toEntry(line: {
  role: string;
  text: string;
  at: string;
}): TranscriptEntry {
  return { role: line.role as TranscriptRole, text: line.text, at: line.at };
}
