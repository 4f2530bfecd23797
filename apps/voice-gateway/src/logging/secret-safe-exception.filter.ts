import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { scrubText, scrubValue } from './secret-scrubber';

/**
 * Nest's default exception filter with every response body passed through the secret scrubber. The
 * default filter answers unknown errors with a bare 500, but it echoes the message of any error that
 * carries a `statusCode` (the "http-errors" shape, which upstream clients' errors can have) and of
 * every HttpException, whose message code may build from an upstream reply. Logging is unchanged
 * (the logger scrubs its own output).
 */
@Catch()
export class SecretSafeExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      const body = scrubValue(exception.getResponse()) as string | object;
      super.catch(
        new HttpException(body, exception.getStatus(), { cause: exception }),
        host,
      );
      return;
    }
    super.catch(exception, host);
  }

  override getHttpErrorMessage(err: {
    statusCode: number;
    message: string;
    expose?: boolean;
  }): string {
    return scrubText(super.getHttpErrorMessage(err));
  }
}
