import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  ServiceUnavailableException,
  Param,
  Post,
  Query,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import type { CallRecord, LiveCallSummary } from '../call.types';
import { CallsService } from '../calls.service';
import { DEFAULT_CALL_LIST_LIMIT } from '../call-manager.constants';
import { AdminGuard } from './admin.guard';
import {
  decodeCallListCursor,
  encodeCallListCursor,
} from './call-list-cursor.util';
import { CallSidPipe } from './call-sid.pipe';
import { EndCallDto } from './end-call.dto';
import { ListCallsQueryDto } from './list-calls.dto';

/** A page of stored calls from `GET /calls?status=…`. */
export interface PastCallsPage {
  calls: CallRecord[];
  /** Present when the page is full: pass it as `cursor` for the next page. */
  nextCursor?: string;
  /** Deprecated: the same value as nextCursor, for clients that pass it back as `before`. */
  nextBefore?: string;
}

/**
 * Runs a read of the call store; a store that fails (down, timing out) answers 503 with the reason,
 * not a bare 500: the request was fine, a dependency is not (GET /health says which).
 */
async function storeRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    throw new ServiceUnavailableException(
      `Cannot ${what}: the call store is unavailable; retry shortly (see GET /health)`,
    );
  }
}

/** Operator REST API over live and past calls (Bearer ADMIN_API_KEY). */
@Controller()
@UseGuards(AdminGuard)
// Here rather than global, so the API validates its input whatever the app sets up.
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class AdminController {
  constructor(private readonly calls: CallsService) {}

  /**
   * `GET /calls`: the live calls (every instance's, with a shared registry). With `status`
   * (`ended`, `live`, or an exact status), stored records newest first (startedAt, then callSid,
   * descending), `limit` per page (default 50), and when the page is full `nextCursor` (opaque)
   * to pass as `cursor` for the next page; calls sharing a startedAt are never skipped or
   * repeated. `nextBefore` repeats `nextCursor` for clients of the old `before` paging (`before`
   * takes either). 400 on a bad cursor, or `cursor` and `before` together.
   */
  @Get('calls')
  @Header('Cache-Control', 'no-store')
  async list(
    @Query() query: ListCallsQueryDto,
  ): Promise<{ calls: LiveCallSummary[] } | PastCallsPage> {
    if (!query.status) return { calls: await this.calls.list() };
    if (query.cursor !== undefined && query.before !== undefined) {
      throw new BadRequestException(
        'cursor and before cannot be combined: pass the nextCursor as cursor',
      );
    }
    const limit = query.limit ? Number(query.limit) : DEFAULT_CALL_LIST_LIMIT;
    // Validated by the DTO: a cursor, or (before only) an ISO time.
    const after = decodeCallListCursor(query.cursor ?? query.before);
    const calls = await storeRead('list past calls', () =>
      this.calls.listPast({
        status: query.status,
        limit,
        after,
        before: after ? undefined : query.before,
      }),
    );
    const last = calls[calls.length - 1];
    if (calls.length < limit || !last) return { calls };
    const nextCursor = encodeCallListCursor(last);
    return { calls, nextCursor, nextBefore: nextCursor };
  }

  @Get('calls/:callSid')
  @Header('Cache-Control', 'no-store')
  async get(
    @Param('callSid', CallSidPipe) callSid: string,
  ): Promise<CallRecord> {
    const call = await storeRead('read the call', () =>
      this.calls.get(callSid),
    );
    if (!call) throw new NotFoundException(`Call ${callSid} not found`);
    return call;
  }

  @Post('end-call')
  @HttpCode(200)
  async endCall(
    @Body() { callSid }: EndCallDto,
  ): Promise<{ callSid: string; ended: true }> {
    if (await this.calls.requestEnd(callSid, 'admin')) {
      return { callSid, ended: true };
    }
    const past = await this.calls.get(callSid);
    throw new NotFoundException(
      past
        ? `Call ${callSid} is not live (status ${past.status})`
        : `Call ${callSid} not found`,
    );
  }
}
