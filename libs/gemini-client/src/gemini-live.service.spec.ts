import { GeminiLiveEmulator } from '@app/simulators';
import type { GeminiClientOptions } from './gemini-client.options';
import { GeminiLiveService } from './gemini-live.service';
import type { AgentToolRegistry } from './tools/agent-tool.registry';
import type { AccessTokenProvider } from './upstream/access-token.provider';
import { GeminiConnector } from './upstream/gemini-connector';

const KEY = 'service-spec-key';

describe('GeminiLiveService.openForCall (against the emulator)', () => {
  let emulator: GeminiLiveEmulator;
  let service: (model: string) => GeminiLiveService;

  beforeAll(async () => {
    emulator = await GeminiLiveEmulator.start({
      apiKey: KEY,
      speechThreshold: 1e9,
      reply: { kind: 'tone', ms: 400 },
      chunkIntervalMs: 0,
    });
    service = (model) => {
      const options: GeminiClientOptions = {
        apiKey: KEY,
        liveUrl: emulator.url,
        model,
        voice: 'Kore',
      };
      const connector = new GeminiConnector(options, {} as AccessTokenProvider);
      const tools = { declarations: () => [] } as unknown as AgentToolRegistry;
      return new GeminiLiveService(options, connector, tools);
    };
  });

  afterAll(() => emulator.close());

  it.each(['gemini-3.8-live', 'gemini-3.8-live-extended-thinking'])(
    '%s: the greeting request is the first message after setup, sent at setupComplete while the session is held',
    async (model) => {
      const before = emulator.sessions.length;
      const session = service(model).openForCall({
        name: 'front-desk',
        greeting: 'Thanks for calling!',
        vad: { endOfSpeechSensitivity: 'low', silenceDurationMs: 900 },
      });
      session.hold(); // as a call's early session is, until its stream starts
      const heard: string[] = [];
      session.on('audio', (data) => heard.push(data));
      const remote = await emulator.waitForSession(
        2000,
        (s) => emulator.sessions.indexOf(s) >= before,
      );
      const greeting = await remote.waitFor((m) => !!m.realtimeInput?.text);
      expect(remote.received.indexOf(greeting)).toBe(1); // right after setup
      expect(greeting.realtimeInput?.text).toContain('Thanks for calling!');
      expect(remote.violations).toEqual([]); // nothing went out before setupComplete
      expect(remote.setup?.realtimeInputConfig).toEqual({
        automaticActivityDetection: {
          endOfSpeechSensitivity: 'END_SENSITIVITY_LOW',
          silenceDurationMs: 900,
        },
        activityHandling: 'START_OF_ACTIVITY_INTERRUPTS',
      });
      // The reply is generated while held: none of it reaches the call before release.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (remote.replies[0]?.outcome === 'complete') resolve();
          else setTimeout(check, 10);
        };
        check();
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([]);
      session.release();
      expect(heard).toHaveLength(10); // 400 ms in 40 ms chunks, all at once
      session.close();
    },
  );
});
