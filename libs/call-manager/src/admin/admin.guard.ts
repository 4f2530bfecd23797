import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  CALL_MANAGER_OPTIONS,
  type CallManagerOptions,
} from '../call-manager.constants';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
}

interface HttpResponseLike {
  setHeader(name: string, value: string): unknown;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Admin routes: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time over SHA-256
 * digests (so neither the key's content nor its length leaks). Without a key the admin API is
 * disabled (403), never open.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly keyDigest?: Buffer;

  constructor(@Inject(CALL_MANAGER_OPTIONS) options: CallManagerOptions) {
    if (options.adminApiKey) this.keyDigest = sha256(options.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.keyDigest) {
      throw new ForbiddenException('Admin API is disabled: set ADMIN_API_KEY');
    }
    const http = context.switchToHttp();
    const header = http.getRequest<HttpRequestLike>().headers.authorization;
    const token =
      typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
    if (token !== undefined && timingSafeEqual(sha256(token), this.keyDigest)) {
      return true;
    }
    http
      .getResponse<HttpResponseLike>()
      .setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('Missing or invalid admin bearer token');
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
