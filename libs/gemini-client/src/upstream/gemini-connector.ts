import { Inject, Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
} from '../gemini-client.options';
import { AccessTokenProvider } from './access-token.provider';

const GEMINI_API_ORIGIN = 'wss://generativelanguage.googleapis.com';
const GEMINI_API_PATH =
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
const VERTEX_PATH =
  '/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent';

/** Where and how to open the upstream Live connection. */
export interface UpstreamEndpoint {
  url: string;
  headers: Record<string, string>;
}

/**
 * Opens authenticated WebSocket connections to Gemini Live (Gemini API key or Vertex AI credentials).
 * The phone path and the browser proxy both connect through here, so credentials live in one place.
 */
@Injectable()
export class GeminiConnector {
  constructor(
    @Inject(GEMINI_CLIENT_OPTIONS)
    private readonly options: GeminiClientOptions,
    private readonly tokens: AccessTokenProvider,
  ) {}

  /** Why no session can be opened, or undefined when credentials are configured. */
  get disabledReason(): string | undefined {
    if (this.options.apiKey || this.options.vertex) return undefined;
    return 'Gemini is not configured: set GEMINI_API_KEY, or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION';
  }

  get usesVertex(): boolean {
    return !this.options.apiKey && !!this.options.vertex;
  }

  /** The full model resource name the setup message carries. */
  modelName(model = this.options.model): string {
    if (model.startsWith('models/') || model.startsWith('projects/'))
      return model;
    const vertex = this.options.vertex;
    if (this.usesVertex && vertex) {
      return `projects/${vertex.project}/locations/${vertex.location}/publishers/google/models/${model}`;
    }
    return `models/${model}`;
  }

  async endpoint(): Promise<UpstreamEndpoint> {
    const vertex = this.options.vertex;
    if (this.usesVertex && vertex) {
      const origin = `wss://${vertex.location}-aiplatform.googleapis.com`;
      return {
        url: this.resolveUrl(origin, VERTEX_PATH),
        headers: { Authorization: `Bearer ${await this.tokens.token()}` },
      };
    }
    return {
      url: this.resolveUrl(GEMINI_API_ORIGIN, GEMINI_API_PATH),
      headers: { 'x-goog-api-key': this.options.apiKey ?? '' },
    };
  }

  /** Opens a socket to the upstream endpoint (not yet open when returned). */
  async connect(): Promise<WebSocket> {
    const disabled = this.disabledReason;
    if (disabled) throw new Error(disabled);
    const { url, headers } = await this.endpoint();
    return new WebSocket(url, {
      headers,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
    });
  }

  private resolveUrl(origin: string, path: string): string {
    const override = this.options.liveUrl;
    if (!override) return origin + path;
    const url = new URL(override);
    return url.pathname === '/' || url.pathname === ''
      ? `${url.origin}${path}`
      : override;
  }
}
