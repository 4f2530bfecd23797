import {
  GeminiLiveEmulator,
  EmulatedLiveSession as EmulatedSession,
} from '@app/simulators';
import WebSocket from 'ws';
import { GeminiLiveSession, LiveSessionClosed } from './gemini-live-session';
import { buildSetupMessage } from './live-setup';
import { ResilientLiveSession } from './resilient-live-session';

const KEY = 'resilient-spec-key';

describe('ResilientLiveSession (against the emulator)', () => {
  let emulator: GeminiLiveEmulator;
  let url: string;

  beforeAll(async () => {
    emulator = await GeminiLiveEmulator.start({
      apiKey: KEY,
      speechThreshold: 1e9,
    });
    url = `${emulator.url}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`;
  });

  afterAll(() => emulator.close());

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

  /** Frame numbers received by the emulator sessions opened since `from`, with arrival times. */
  function arrivals(from: number): Array<{ n: number; at: number }> {
    const got: Array<{ n: number; at: number }> = [];
    for (const remote of emulator.sessions.slice(from)) {
      for (const entry of (
        remote as EmulatedSession & { arrivals?: typeof got }
      ).arrivals ?? [])
        got.push(entry);
    }
    return got.sort((a, b) => a.at - b.at);
  }

  beforeEach(() => {
    emulator.onSession((remote) => {
      const list: Array<{ n: number; at: number }> = [];
      (remote as EmulatedSession & { arrivals?: typeof list }).arrivals = list;
      remote.onMessage((m) => {
        const data = m.realtimeInput?.audio?.data;
        if (data)
          list.push({
            n: Buffer.from(data, 'base64').readUInt16LE(0),
            at: performance.now(),
          });
      });
    });
  });

  function check(from: number, frames: number): number {
    const got = arrivals(from);
    expect(got.map((a) => a.n)).toEqual(
      Array.from({ length: frames }, (_, i) => i),
    );
    let gap = 0;
    for (let i = 1; i < got.length; i++)
      gap = Math.max(gap, got[i].at - got[i - 1].at);
    return gap;
  }

  it('on goAway resumes on a new connection with the handle; no caller audio lost, gap ≤ 200 ms', async () => {
    const from = emulator.sessions.length;
    const session = new ResilientLiveSession(connect());
    await session.ready;
    const reconnected = new Promise((resolve) =>
      session.once('reconnected', resolve),
    );
    const pumping = pump(session, 60);
    await new Promise((r) => setTimeout(r, 400));
    emulator.sessions[from].goAway('2s');
    expect(await reconnected).toMatchObject({
      resumed: true,
      reason: expect.stringContaining('goAway') as string,
    });
    await pumping;
    await new Promise((r) => setTimeout(r, 150));
    const gap = check(from, 60);
    expect(gap).toBeLessThanOrEqual(200);
    expect(emulator.sessions[from + 1].resumedFrom).toBeDefined();
    expect(session.reconnects).toBe(1);
    session.close();
  });

  it('reconnects after the upstream is killed; no caller audio lost, gap ≤ 200 ms', async () => {
    const from = emulator.sessions.length;
    const session = new ResilientLiveSession(connect());
    await session.ready;
    const reconnected = new Promise((resolve) =>
      session.once('reconnected', resolve),
    );
    const pumping = pump(session, 60);
    await new Promise((r) => setTimeout(r, 400));
    emulator.sessions[from].kill();
    await reconnected;
    await pumping;
    await new Promise((r) => setTimeout(r, 150));
    expect(check(from, 60)).toBeLessThanOrEqual(200);
    session.close();
  });

  it('gives up after its backoff schedule and reports closed once', async () => {
    let key = KEY;
    const session = new ResilientLiveSession(
      connect(() => key),
      { backoffMs: [0, 10, 10] },
    );
    await session.ready;
    const remote = emulator.sessions[emulator.sessions.length - 1];
    key = 'revoked';
    const closes: LiveSessionClosed[] = [];
    session.on('closed', (info) => closes.push(info));
    remote.close(1011, 'internal error');
    await new Promise((r) => setTimeout(r, 500));
    expect(closes).toHaveLength(1);
    expect(closes[0].reason).toMatch(/could not be recovered/);
    expect(session.state).toBe('closed');
  });
});
