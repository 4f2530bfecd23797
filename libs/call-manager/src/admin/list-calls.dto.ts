import {
  isISO8601,
  IsIn,
  IsOptional,
  Matches,
  ValidateBy,
} from 'class-validator';
import { decodeCallListCursor } from './call-list-cursor.util';

export const LIST_STATUSES = [
  'live',
  'ended',
  'ringing',
  'in-progress',
  'completed',
  'failed',
] as const;

/**
 * Query of `GET /calls`: without `status`, the live calls; with it, stored records newest first
 * (startedAt, then callSid, descending), `limit` per page, from `cursor` on.
 */
export class ListCallsQueryDto {
  @IsOptional()
  @IsIn(LIST_STATUSES, {
    message: `status must be one of ${LIST_STATUSES.join(', ')}`,
  })
  status?: (typeof LIST_STATUSES)[number];

  @IsOptional()
  @Matches(/^([1-9]\d{0,2}|1000)$/, {
    message: 'limit must be a whole number from 1 to 1000',
  })
  limit?: string;

  /** A previous page's `nextCursor` (opaque); the page starts right after that page's last call. */
  @IsOptional()
  @ValidateBy({
    name: 'isCallListCursor',
    validator: {
      validate: (value: unknown) => decodeCallListCursor(value) !== undefined,
      defaultMessage: () =>
        "cursor must be a previous page's nextCursor, passed back unchanged",
    },
  })
  cursor?: string;

  /**
   * Legacy: an ISO-8601 time (only calls that started before it: calls sharing the boundary's
   * time are skipped), or a `nextCursor` (as `cursor`). Not together with `cursor`.
   */
  @IsOptional()
  @ValidateBy({
    name: 'isIso8601OrCallListCursor',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'string' && isISO8601(value, { strict: true })) ||
        decodeCallListCursor(value) !== undefined,
      defaultMessage: () =>
        "before must be an ISO-8601 time or a previous page's nextCursor",
    },
  })
  before?: string;
}
