import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
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
import { CallSidPipe } from './call-sid.pipe';
import { EndCallDto } from './end-call.dto';
import { ListCallsQueryDto } from './list-calls.dto';

/** Operator REST API over live and past calls (Bearer ADMIN_API_KEY). */
@Controller()
@UseGuards(AdminGuard)
// Here rather than global, so the API validates its input whatever the app sets up.
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class AdminController {
  constructor(private readonly calls: CallsService) {}

  /**
   * `GET /calls`: the live calls (every instance's, with a shared registry). With `status`
   * (`ended`, `live`, or an exact status), stored records newest first, `limit` per page, and
   * `nextBefore` to pass as `before` for the next page.
   */
  @Get('calls')
  @Header('Cache-Control', 'no-store')
  async list(
    @Query() query: ListCallsQueryDto,
  ): Promise<
    { calls: LiveCallSummary[] } | { calls: CallRecord[]; nextBefore?: string }
  > {
    if (!query.status) return { calls: await this.calls.list() };
    const limit = query.limit ? Number(query.limit) : DEFAULT_CALL_LIST_LIMIT;
    const calls = await this.calls.listPast({
      status: query.status,
      limit,
      before: query.before,
    });
    const last = calls[calls.length - 1];
    return calls.length === limit && last
      ? { calls, nextBefore: last.startedAt }
      : { calls };
  }

  @Get('calls/:callSid')
  @Header('Cache-Control', 'no-store')
  async get(
    @Param('callSid', CallSidPipe) callSid: string,
  ): Promise<CallRecord> {
    const call = await this.calls.get(callSid);
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
