import { GeminiClientOptions } from '../gemini-client.options';
import { AccessTokenProvider } from './access-token.provider';
import { GeminiConnector } from './gemini-connector';

const tokens = {
  token: () => Promise.resolve('ya29.test-token'),
} as AccessTokenProvider;
const base: GeminiClientOptions = { model: 'gemini-3.8-live', voice: 'Kore' };

describe('GeminiConnector', () => {
  it('uses the Gemini API endpoint with the key in a header (kept out of URLs and logs)', async () => {
    const connector = new GeminiConnector({ ...base, apiKey: 'k' }, tokens);
    expect(await connector.endpoint()).toEqual({
      url: 'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent',
      headers: { 'x-goog-api-key': 'k' },
    });
    expect(connector.modelName()).toBe('models/gemini-3.8-live');
  });

  it('uses Vertex AI with a bearer token and the full model path when no key is set', async () => {
    const connector = new GeminiConnector(
      { ...base, vertex: { project: 'p1', location: 'europe-west4' } },
      tokens,
    );
    expect(await connector.endpoint()).toEqual({
      url: 'wss://europe-west4-aiplatform.googleapis.com/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent',
      headers: { Authorization: 'Bearer ya29.test-token' },
    });
    expect(connector.modelName()).toBe(
      'projects/p1/locations/europe-west4/publishers/google/models/gemini-3.8-live',
    );
  });

  it('GEMINI_LIVE_URL as an origin gets the standard path; a full URL is used as it is', async () => {
    const origin = new GeminiConnector(
      { ...base, apiKey: 'k', liveUrl: 'ws://127.0.0.1:9999' },
      tokens,
    );
    expect((await origin.endpoint()).url).toBe(
      'ws://127.0.0.1:9999/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent',
    );
    const full = new GeminiConnector(
      { ...base, apiKey: 'k', liveUrl: 'wss://eu.example.test/custom/path' },
      tokens,
    );
    expect((await full.endpoint()).url).toBe(
      'wss://eu.example.test/custom/path',
    );
  });

  it('says why it cannot connect without credentials', async () => {
    const connector = new GeminiConnector(base, tokens);
    expect(connector.disabledReason).toMatch(/GEMINI_API_KEY/);
    await expect(connector.connect()).rejects.toThrow(/GEMINI_API_KEY/);
  });
});
