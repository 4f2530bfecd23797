import { GeminiClientOptions, LiveTokenService } from '@app/gemini-client';
import { toneInt16 } from '@app/simulators';
import WebSocket from 'ws';
import {
  ADMIN_KEY,
  CallHarness,
  GEMINI_KEY,
  startCallHarness,
} from './support/call-harness';

const SDK_PATH =
  '/live/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

describe('Browser proxy WS /live/… with the real @google/genai SDK (real app, emulator)', () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness(
      {},
      {
        reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 },
        silenceMs: 200,
      },
    );
  });

  afterAll(() => h.close());

  async function mint(): Promise<{ token: string; expireTime: string }> {
    const res = await h.admin('/live/tokens', { method: 'POST' });
    expect(res.status).toBe(201);
    return (await res.json()) as { token: string; expireTime: string };
  }

  /** A raw socket to the proxy; resolves with its close code and reason. */
  function refusedWith(
    path: string,
  ): Promise<{ code: number; reason: string }> {
    const ws = new WebSocket(h.baseUrl.replace('http', 'ws') + path);
    ws.on('error', () => undefined);
    return new Promise((resolve) =>
      ws.on('close', (code, reason) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
  }

  it('mints tokens for the admin only', async () => {
    expect(
      (await fetch(`${h.baseUrl}/live/tokens`, { method: 'POST' })).status,
    ).toBe(401);
    const { token, expireTime } = await mint();
    expect(token).toMatch(/^[a-z0-9]+\.[\w-]+\.[\w-]+$/);
    expect(Date.parse(expireTime) - Date.now()).toBeGreaterThan(50_000);
  });

  it('connects the SDK with a minted token, carries audio both ways, and upstream uses the service key', async () => {
    const { GoogleGenAI, Modality } = await import('@google/genai');
    const { token } = await mint();
    const before = h.emulator.sessions.length;
    // A base URL ending in a slash makes the SDK ask for `/live//ws/…`: the proxy takes both forms.
    const ai = new GoogleGenAI({
      apiKey: token,
      httpOptions: { baseUrl: `${h.baseUrl}/live/` },
    });
    const audio: string[] = [];
    let resolveAudio!: () => void;
    const gotAudio = new Promise<void>((resolve) => (resolveAudio = resolve));
    const session = await ai.live.connect({
      model: 'gemini-3.8-live',
      config: { responseModalities: [Modality.AUDIO] },
      callbacks: {
        onmessage: (message) => {
          for (const part of message.serverContent?.modelTurn?.parts ?? []) {
            if (part.inlineData?.data) {
              audio.push(part.inlineData.data);
              resolveAudio();
            }
          }
        },
      },
    });
    const speech = Buffer.from(
      toneInt16(16000, 1000, 400, 8000).buffer,
    ).toString('base64');
    const silence = Buffer.alloc(16000).toString('base64'); // 500 ms
    session.sendRealtimeInput({
      audio: { data: speech, mimeType: 'audio/pcm;rate=16000' },
    });
    session.sendRealtimeInput({
      audio: { data: silence, mimeType: 'audio/pcm;rate=16000' },
    });
    await gotAudio;
    expect(Buffer.from(audio[0], 'base64').length).toBeGreaterThan(0);
    const upstream = h.emulator.sessions[before];
    expect(upstream.credential).toMatchObject({ value: GEMINI_KEY });
    expect(JSON.stringify(upstream.request.headers)).not.toContain(token);
    expect(upstream.callerAudio().length).toBeGreaterThanOrEqual(14000);
    session.close();
  });

  it('refuses a reused, expired, forged or missing token with 1008 before anything reaches Google', async () => {
    const before = h.emulator.sessions.length;
    const { token } = await mint();
    const first = new WebSocket(
      `${h.baseUrl.replace('http', 'ws')}${SDK_PATH}?key=${token}`,
    );
    await new Promise((resolve) => first.on('open', resolve));
    const reused = await refusedWith(`${SDK_PATH}?key=${token}`);
    expect(reused).toEqual({
      code: 1008,
      reason: 'invalid, expired or reused token',
    });
    first.close();

    const sameSecret = new LiveTokenService({
      proxyTokenSecret: ADMIN_KEY,
    } as GeminiClientOptions);
    const expired = sameSecret.mint(Date.now() - 120_000).token;
    expect((await refusedWith(`${SDK_PATH}?key=${expired}`)).code).toBe(1008);
    const forged = new LiveTokenService({
      proxyTokenSecret: 'not-the-admin-key-at-all',
    } as GeminiClientOptions).mint().token;
    expect((await refusedWith(`${SDK_PATH}?access_token=${forged}`)).code).toBe(
      1008,
    );
    expect((await refusedWith(SDK_PATH)).code).toBe(1008);
    expect((await refusedWith(`${SDK_PATH}?key=${GEMINI_KEY}`)).code).toBe(
      1008,
    );
    // Only the one accepted session reached the emulator.
    expect(h.emulator.sessions.length - before).toBe(1);
  });

  it('forwards upstream binary frames as text and passes close codes and reasons through', async () => {
    const { token } = await mint();
    const before = h.emulator.sessions.length;
    const ws = new WebSocket(
      `${h.baseUrl.replace('http', 'ws')}${SDK_PATH}?key=${token}`,
    );
    const frames: Array<{ text: string; binary: boolean }> = [];
    ws.on('message', (data: Buffer, binary: boolean) =>
      frames.push({ text: data.toString(), binary }),
    );
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ setup: { model: 'models/gemini-3.8-live' } }));
    const upstream = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await upstream.waitFor((m) => m.setup !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(frames[0]).toEqual({ text: '{"setupComplete":{}}', binary: false });
    upstream.close(1011, 'Internal error encountered.');
    expect(await closed).toEqual({
      code: 1011,
      reason: 'Internal error encountered.',
    });
  });
});
