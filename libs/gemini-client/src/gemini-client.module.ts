import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from './gemini-client.options';
import { GeminiLiveService } from './gemini-live.service';
import { AgentProfiles } from './profiles/agent-profiles';
import { LiveProxyGateway } from './proxy/live-proxy.gateway';
import { LiveTokenService } from './proxy/live-token.service';
import { InMemorySpentTokenLedger } from './tokens/in-memory-spent-token-ledger';
import { RedisSpentTokenLedger } from './tokens/redis-spent-token-ledger';
import type { SpentTokenLedger } from './tokens/spent-token-ledger.interface';
import { SPENT_TOKEN_LEDGER } from './tokens/tokens.constants';
import { AgentToolRegistry } from './tools/agent-tool.registry';
import { AccessTokenProvider } from './upstream/access-token.provider';
import { GeminiConnector } from './upstream/gemini-connector';

export interface GeminiClientModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
  useFactory: (
    ...args: never[]
  ) => GeminiClientOptions | Promise<GeminiClientOptions>;
}

/**
 * One upstream Gemini Live session per call, and the authenticated connector the browser proxy
 * shares. Browser tokens are spent in SPENT_TOKEN_LEDGER: Redis when `redisUrl` is set (one use
 * across instances; the connection closes at shutdown), else in memory.
 */
@Module({})
export class GeminiClientModule {
  static forRootAsync(options: GeminiClientModuleAsyncOptions): DynamicModule {
    return {
      module: GeminiClientModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        {
          provide: GEMINI_CLIENT_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        {
          provide: SPENT_TOKEN_LEDGER,
          inject: [GEMINI_CLIENT_OPTIONS],
          useFactory: (opts: GeminiClientOptions): SpentTokenLedger =>
            opts.redisUrl
              ? new RedisSpentTokenLedger({ url: opts.redisUrl })
              : new InMemorySpentTokenLedger(),
        },
        AccessTokenProvider,
        GeminiConnector,
        GeminiLiveService,
        AgentToolRegistry,
        AgentProfiles,
        LiveTokenService,
        LiveProxyGateway,
      ],
      exports: [
        GeminiLiveService,
        GeminiConnector,
        AgentToolRegistry,
        AgentProfiles,
        LiveTokenService,
        SPENT_TOKEN_LEDGER,
      ],
    };
  }
}
