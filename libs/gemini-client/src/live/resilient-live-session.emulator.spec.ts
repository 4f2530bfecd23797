import {
  ClientMessage,
  EmulatedLiveSession as EmulatedSession,
  GeminiLiveEmulator,
} from '@app/simulators';
import WebSocket from 'ws';
import { GeminiLiveSession } from './gemini-live-session';
import { buildSetupMessage } from './live-setup';
import type { LiveSessionClosed } from './live-session.types';
import { ResilientLiveSession } from './resilient-live-session';

const KEY = 'resilient-spec-key';

describe('ResilientLiveSession (against the emulator)', () => {
  let emulator: GeminiLiveEmulator;
  let url: string;
  /** When each client message reached the emulator (ms, monotonic). */
  const arrivedAt = new Map<ClientMessage, number>();

  beforeAll(async () => {
    emulator = await GeminiLiveEmulator.start({
      apiKey: KEY,
      speechThreshold: 1e9,
      reply: { kind: 'tone', ms: 1000 },
    });
    url = `${emulator.url}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`;
    emulator.onSession((remote) =>
      remote.onMessage((m) => arrivedAt.set(m, performance.now())),
    );
  });

  afterAll(() => emulator.close());

  afterEach(() => {
    emulator.options.refuseResumeWhileIssuerOpen = false;
  });

  function connect(key = () => KEY) {
    return (handle?: string): GeminiLiveSession =>
      new GeminiLiveSession(
        Promise.resolve(
          new WebSocket(url, { headers: { 'x-goog-api-key': key() } }),
        ),
        buildSetupMessage({
          model: 'models/gemini-3.8-live',
          voice: 'Kore',
          resumptionHandle: handle,
        }),
        { setupTimeoutMs: 2000, maxPending: 250 },
      );
  }

  /** Sends numbered 20 ms frames every 20 ms; the frame number is in the first two bytes. */
  function pump(session: ResilientLiveSession, frames: number): Promise<void> {
    return new Promise((resolve) => {
      let n = 0;
      const timer = setInterval(() => {
        const pcm = Buffer.alloc(640);
        pcm.writeUInt16LE(n, 0);
        session.sendAudio(pcm.toString('base64'));
        if (++n === frames) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /**
   * The frame numbers in the model's state on `remote` (each must appear once, in order) and the
   * longest time the state went without a new frame (the caller-audio gap of the switch, ms).
   */
  function heardByModel(remote: EmulatedSession): {
    frames: number[];
    gapMs: number;
  } {
    const audio = remote.history().filter((m) => m.realtimeInput?.audio);
    const frames = audio.map((m) =>
      Buffer.from(m.realtimeInput?.audio?.data ?? '', 'base64').readUInt16LE(0),
    );
    let gapMs = 0;
    for (let i = 1; i < audio.length; i++) {
      const gap = arrivedAt.get(audio[i])! - arrivedAt.get(audio[i - 1])!;
      gapMs = Math.max(gapMs, gap);
    }
    return { frames, gapMs };
  }

  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it.each([
    ['goAway', (s: EmulatedSession) => s.goAway('2s')],
    ['a killed upstream', (s: EmulatedSession) => s.kill()],
  ])(
    '%s: the resumed state holds every caller frame once, in order; gap ≤ 200 ms',
    async (_kind, fault) => {
      const from = emulator.sessions.length;
      const session = new ResilientLiveSession(connect());
      await session.ready;
      const reconnected = new Promise((resolve) =>
        session.once('reconnected', resolve),
      );
      const pumping = pump(session, 60);
      await sleep(400);
      fault(emulator.sessions[from]);
      expect(await reconnected).toMatchObject({ resumed: true });
      await pumping;
      await sleep(150);
      const last = emulator.sessions[emulator.sessions.length - 1];
      const { frames, gapMs } = heardByModel(last);
      expect(frames).toEqual(range(60));
      expect(gapMs).toBeLessThanOrEqual(200);
      expect(last.resumedFrom).toBeDefined();
      session.close();
    },
  );

  it('goAway 600 ms into a reply: the whole reply arrives once, then the switch', async () => {
    const from = emulator.sessions.length;
    const session = new ResilientLiveSession(connect());
    await session.ready;
    const chunks: string[] = [];
    session.on('audio', (data) => chunks.push(data));
    const first = emulator.sessions[from];
    const reply = first.speak({ kind: 'tone', ms: 3000 });
    await sleep(600);
    first.goAway('20s');
    await new Promise((resolve) => session.once('reconnected', resolve));
    expect(reply?.outcome).toBe('complete');
    expect(chunks).toHaveLength(reply?.chunkCount ?? -1);
    expect(new Set(chunks).size).toBeGreaterThan(1);
    expect((await first.closed).code).toBe(1000); // closed by us, at the turn boundary
    session.close();
  });

  it('new connections refused three times: the old one keeps serving; the fourth takes over, nothing lost', async () => {
    const from = emulator.sessions.length;
    const session = new ResilientLiveSession(connect(), {
      backoffMs: [0, 50, 100],
    });
    await session.ready;
    const pumping = pump(session, 80);
    await sleep(200);
    emulator.refuseNextSetups(3);
    emulator.sessions[from].goAway('10s');
    await pumping;
    await sleep(200);
    expect(emulator.pendingRefusals).toBe(0);
    expect(emulator.sessions.length - from).toBe(5);
    const last = emulator.sessions[emulator.sessions.length - 1];
    expect(heardByModel(last).frames).toEqual(range(80));
    session.close();
  });

  it('a resume refused while its issuer is open: the old connection serves until time is nearly up, then is closed first', async () => {
    emulator.options.refuseResumeWhileIssuerOpen = true;
    const from = emulator.sessions.length;
    const session = new ResilientLiveSession(connect(), {
      backoffMs: [0, 50, 100],
      switchMarginMs: 500,
    });
    await session.ready;
    const pumping = pump(session, 100);
    await sleep(200);
    emulator.sessions[from].goAway('1.2s');
    await pumping;
    await sleep(200);
    const last = emulator.sessions[emulator.sessions.length - 1];
    expect(last.closeInfo).toBeUndefined();
    expect(heardByModel(last).frames).toEqual(range(100));
    expect(emulator.sessions.length - from).toBeGreaterThan(2);
    session.close();
  });

  it('gives up after its backoff schedule and reports closed once', async () => {
    let key = KEY;
    const session = new ResilientLiveSession(
      connect(() => key),
      {
        backoffMs: [0, 10, 10],
      },
    );
    await session.ready;
    const remote = emulator.sessions[emulator.sessions.length - 1];
    key = 'revoked';
    const closes: LiveSessionClosed[] = [];
    session.on('closed', (info) => closes.push(info));
    remote.close(1011, 'internal error');
    await sleep(500);
    expect(closes).toHaveLength(1);
    expect(closes[0].reason).toMatch(/could not be recovered/);
    expect(session.state).toBe('closed');
  });
});
