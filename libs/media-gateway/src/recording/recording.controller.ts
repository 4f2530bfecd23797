import { AdminGuard, CallSidPipe } from '@app/call-manager';
import {
  Controller,
  Get,
  Header,
  Headers,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  Param,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from './byte-range.util';
import { RecordingInfo, RecordingsService } from './recordings.service';

/**
 * `GET /calls/:callSid/recording` (admin, Bearer ADMIN_API_KEY; rate-limited like every admin route by
 * the app's global limiter): the call's recording as `audio/wav` (2 channels, caller left, agent
 * right, 8 kHz 16-bit), streamed from disk, with single byte ranges (206) for seeking players. 404
 * when the call has no published recording; 400 for anything that is not a Call SID, so no path can
 * leave the recordings directory. `X-Recording-Status`: complete, or partial (the disk fell behind
 * and some audio became silence).
 */
@Controller()
@UseGuards(AdminGuard)
export class RecordingController {
  private readonly logger = new Logger(RecordingController.name);

  constructor(private readonly recordings: RecordingsService) {}

  /**
   * `GET /calls/:callSid/recording/info`: whether the call has a recording, without downloading it
   * (and without a 404 for calls that have none): `{callSid, status, bytes?, durationMs?, startedAt?}`,
   * status `none`, `recording` (call still going), `complete`, `partial` or `failed`.
   */
  @Get('calls/:callSid/recording/info')
  @Header('Cache-Control', 'no-store')
  info(@Param('callSid', CallSidPipe) callSid: string): Promise<RecordingInfo> {
    return this.recordings.describe(callSid);
  }

  @Get('calls/:callSid/recording')
  async get(
    @Param('callSid', CallSidPipe) callSid: string,
    @Headers('range') range: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const found = await this.recordings.open(callSid);
    if (!found) {
      throw new NotFoundException(
        (await this.recordings.describe(callSid)).status === 'failed'
          ? `The recording of call ${callSid} failed (see the service log)`
          : `No recording for call ${callSid}`,
      );
    }
    const { handle, size, status } = found;
    const wanted = parseByteRange(range, size);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Accept-Ranges', 'bytes');
    if (status) res.setHeader('X-Recording-Status', status);
    if (wanted === 'unsatisfiable') {
      await handle.close();
      res.setHeader('Content-Range', `bytes */${size}`);
      throw new HttpException(
        'Range not satisfiable',
        HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
      );
    }
    const { start, end } = wanted ?? { start: 0, end: size - 1 };
    res.status(wanted ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK);
    if (wanted) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Type', 'audio/wav');
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    res.setHeader('Content-Disposition', `inline; filename="${callSid}.wav"`);
    if (req.method === 'HEAD' || size === 0) {
      await handle.close();
      res.end();
      return;
    }
    try {
      await pipeline(handle.createReadStream({ start, end }), res);
    } catch (err) {
      // The client went away mid-file (a seeking player does this): nothing to answer.
      this.logger.debug({
        callSid,
        err: err instanceof Error ? err.message : String(err),
        msg: 'Recording download ended early',
      });
      res.destroy();
    }
  }
}
