import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BackendStatus, ManagedBackend } from '../backend.types';
import { DEFAULT_KEY_PREFIX } from '../registry/redis-call-registry.driver';
import { createRedisClient } from '../registry/redis-client.util';
import { redisEndpoint } from '../registry/redis-error.util';
import { RedisOutage } from '../registry/redis-outage.util';
import { DEFAULT_END_TIMEOUT_MS } from './call-router.constants';
import type {
  CallRouter,
  EndCallHandler,
  EndCallRequest,
} from './call-router.interface';

export interface RedisCallRouterOptions {
  /** `redis://…` */
  url: string;
  instanceId: string;
  /** Prefix of every channel (default `vg:`): instances that share calls must share it. */
  keyPrefix?: string;
  /** See CallRouter.endTimeoutMs (default 3000 ms). */
  endTimeoutMs?: number;
  /** How long one Redis command may take before it rejects (default 1000 ms). */
  commandTimeoutMs?: number;
}

/**
 * Requests between instances over Redis pub/sub: each instance listens on `<prefix>end:<instanceId>`.
 * Two connections: one subscribed (re-subscribing whenever it reconnects), one to publish.
 */
export class RedisCallRouter implements CallRouter, ManagedBackend {
  readonly instanceId: string;
  readonly endTimeoutMs: number;
  private readonly logger = new Logger(RedisCallRouter.name);
  private readonly outage: RedisOutage;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private handler: EndCallHandler | undefined;
  private subscribed = false;
  private readonly firstSubscription: Promise<void>;
  private closed = false;

  constructor(options: RedisCallRouterOptions) {
    this.instanceId = options.instanceId;
    this.endTimeoutMs = options.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS;
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.channel = this.channelOf(this.instanceId);
    this.outage = new RedisOutage(
      this.logger,
      'Call router',
      redisEndpoint(options.url),
    );
    const client = (role: string) =>
      createRedisClient(options.url, {
        name: `vg-router-${role}-${this.instanceId}`,
        commandTimeoutMs: options.commandTimeoutMs,
      });
    this.publisher = client('pub');
    this.subscriber = client('sub');

    let markSubscribed!: () => void;
    this.firstSubscription = new Promise((resolve) => {
      markSubscribed = resolve;
    });
    for (const redis of [this.publisher, this.subscriber]) {
      redis.on('error', (err) => this.outage.failed(err, 'connection'));
    }
    this.subscriber.on('close', () => (this.subscribed = false));
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => {
          this.subscribed = true;
          this.outage.recovered();
          markSubscribed();
        },
        (err) => this.outage.failed(err, 'subscribe'),
      );
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) void this.receive(message);
    });
  }

  /** Resolves once this instance listens for requests (the first time). */
  whenListening(): Promise<void> {
    return this.firstSubscription;
  }

  onEndRequest(handler: EndCallHandler): void {
    this.handler = handler;
  }

  async sendEndRequest(
    instanceId: string,
    request: EndCallRequest,
  ): Promise<boolean> {
    const message: EndCallRequest = {
      callSid: request.callSid,
      reason: request.reason,
    };
    const listeners = await this.publisher.publish(
      this.channelOf(instanceId),
      JSON.stringify(message),
    );
    return listeners > 0;
  }

  async health(): Promise<BackendStatus> {
    if (this.closed) return { backend: 'redis', ok: false, detail: 'closed' };
    try {
      await this.publisher.ping();
    } catch (err) {
      return {
        backend: 'redis',
        ok: false,
        detail: this.outage.current ?? this.outage.describe(err),
      };
    }
    if (!this.subscribed) {
      return {
        backend: 'redis',
        ok: false,
        detail: `not listening on ${this.channel}${
          this.outage.current ? `: ${this.outage.current}` : ''
        }`,
      };
    }
    return {
      backend: 'redis',
      ok: true,
      detail: `listening on ${this.channel}`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    await Promise.all([quit(this.subscriber), quit(this.publisher)]);
  }

  private async receive(message: string): Promise<void> {
    let request: EndCallRequest;
    try {
      request = parseEndRequest(message);
    } catch (err) {
      this.logger.warn({
        err: errorMessage(err),
        message: message.slice(0, 200),
        msg: 'Ignored a malformed end request',
      });
      return;
    }
    if (!this.handler) {
      this.logger.warn({
        callSid: request.callSid,
        msg: 'End request received with no handler',
      });
      return;
    }
    try {
      await this.handler(request);
    } catch (err) {
      this.logger.error({
        callSid: request.callSid,
        err: errorMessage(err),
        msg: 'Could not handle an end request',
      });
    }
  }

  private channelOf(instanceId: string): string {
    return `${this.prefix}end:${instanceId}`;
  }
}

function parseEndRequest(message: string): EndCallRequest {
  const value: unknown = JSON.parse(message);
  const { callSid, reason } = (value ?? {}) as Record<string, unknown>;
  if (typeof callSid !== 'string' || !callSid) {
    throw new Error('callSid missing');
  }
  if (typeof reason !== 'string' || !reason) throw new Error('reason missing');
  return { callSid, reason: reason as EndCallRequest['reason'] };
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through: drop the connection.
    }
  }
  redis.disconnect();
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
