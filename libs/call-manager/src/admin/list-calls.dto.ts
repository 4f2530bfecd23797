import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

export const LIST_STATUSES = [
  'live',
  'ended',
  'ringing',
  'in-progress',
  'completed',
  'failed',
] as const;

/** Query of `GET /calls`: without `status`, the live calls; with it, stored records, newest first. */
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

  @IsOptional()
  @IsISO8601(
    { strict: true },
    {
      message: "before must be an ISO-8601 time (a previous page's nextBefore)",
    },
  )
  before?: string;
}
