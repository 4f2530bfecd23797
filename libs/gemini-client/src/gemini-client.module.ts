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

/** One upstream Gemini Live session per call, and the authenticated connector the browser proxy shares. */
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
      ],
    };
  }
}
