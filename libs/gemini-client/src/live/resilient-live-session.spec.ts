import { FakeLiveConnection as Fake } from './fake-live-connection.test-helper';
import type { LiveSessionClosed, LiveSwitchInfo } from './live-session.types';
import { ResilientLiveSession } from './resilient-live-session';
import { ContinuityPolicy } from './continuity-policy';

/** A session over fake connections, with what it emitted. */
function start(policy: Partial<ContinuityPolicy> = {}) {
  const conns: Fake[] = [];
  const session = new ResilientLiveSession((handle) => {
    const conn = new Fake(conns.length + 1, handle);
    conns.push(conn);
    return conn;
  }, policy);
  const heard: string[] = [];
  const closes: LiveSessionClosed[] = [];
  const switches: LiveSwitchInfo[] = [];
  const cancelled: string[] = [];
  session.on('audio', (data) => heard.push(data));
  session.on('closed', (info) => closes.push(info));
  session.on('reconnected', (info) => switches.push(info));
  session.on('toolCallCancellation', (ids) => cancelled.push(...ids));
  let n = 0;
  /** Sends `count` numbered caller frames (their payload is `a<n>`). */
  const say = (count = 1): void => {
    for (let i = 0; i < count; i++) session.sendAudio(`a${n++}`);
  };
  const sent = (): string[] => Array.from({ length: n }, (_, i) => `a${i}`);
  const last = (): Fake => conns[conns.length - 1];
  return {
    session,
    conns,
    heard,
    closes,
    switches,
    cancelled,
    say,
    sent,
    last,
  };
}

/** The caller audio in a connection's model state, in order. */
const audioIn = (conn: Fake): string[] =>
  conn.history().filter((label) => /^a\d+$/.test(label));

describe('ResilientLiveSession (state machine, fake connections)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds caller input until the first connection is ready, then sends it once, in order', () => {
    const t = start();
    t.say(3);
    t.session.sendText('note 1');
    expect(t.conns[0].frames).toEqual([]);
    t.conns[0].ready();
    t.say(1);
    expect(t.conns[0].history()).toEqual(['a0', 'a1', 'a2', 'note 1', 'a3']);
  });

  it('goAway at a turn boundary: switches at once with the fresh handle; nothing lost or repeated', () => {
    const t = start();
    const old = t.conns[0].ready();
    t.say(5);
    old.handle(3); // the server consumed a0..a2
    old.goAway('20s');
    expect(t.conns).toHaveLength(2);
    const next = t.last();
    expect(next.resumedFrom).toBe('h1.1');
    t.say(2); // while the next connection sets up: held, not sent to the old one
    expect(old.frames).toHaveLength(5);
    next.ready();
    expect(old.state).toBe('closed');
    expect(audioIn(next)).toEqual(t.sent());
    expect(next.frames.map((f) => f.label)).toEqual(['a3', 'a4', 'a5', 'a6']);
    expect(t.switches[0]).toMatchObject({ resumed: true, replayed: 4 });
  });

  it('goAway mid-turn: the old connection keeps streaming the reply; the switch waits for its end', () => {
    const t = start();
    const old = t.conns[0].ready();
    old.handle();
    t.say(2);
    old.speak(15); // 600 ms of a 3 s reply
    old.goAway('20s');
    jest.advanceTimersByTime(5000);
    old.speak(60); // the rest of the reply
    t.say(2);
    expect(t.conns).toHaveLength(1); // no switch while the model talks
    old.turnComplete();
    expect(t.conns).toHaveLength(1); // the handle before the turn is stale: wait for a fresh one
    old.handle();
    expect(t.conns).toHaveLength(2);
    t.last().ready();
    expect(t.heard).toHaveLength(75); // the whole reply, once
    expect(audioIn(t.last())).toEqual(t.sent());
  });

  it('a tool call after goAway is answered on the connection that issued it; the switch waits for it', () => {
    const t = start({});
    const old = t.conns[0].ready();
    old.handle();
    old.goAway('20s'); // switch starts at once (idle)…
    old.toolCall('call-1'); // …and the old model issues a call before the next one is ready
    expect(t.conns[1].state).toBe('closed'); // postponed: it would resume from before the call
    t.session.sendToolResponse([
      { id: 'call-1', name: 'lookup', response: { ok: true } },
    ]);
    expect(old.frames.map((f) => f.label)).toEqual(['tool:call-1']);
    old.speak(5);
    old.turnComplete();
    old.handle();
    const next = t.last();
    expect(t.conns).toHaveLength(3);
    next.ready();
    expect(next.frames.filter((f) => f.label.startsWith('tool:'))).toEqual([]);
    expect(next.history()).toContain('tool:call-1'); // once, in the state it resumed
  });

  it('forced switch: a turn still running at timeLeft − margin is left; a fresher handle replaces a stale next', () => {
    const t = start({ switchMarginMs: 1000 });
    const old = t.conns[0].ready();
    old.handle();
    old.speak(5);
    old.goAway('3s');
    jest.advanceTimersByTime(1999);
    expect(t.conns).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(t.conns).toHaveLength(2); // forced, from the handle before the turn
    expect(t.conns[1].resumedFrom).toBe('h1.1');
    old.turnComplete();
    old.handle(); // fresh, and the next is not ready yet: resume from this one instead
    expect(t.conns[1].state).toBe('closed');
    expect(t.conns[2].resumedFrom).toBe('h1.2');
    t.conns[2].ready();
    expect(old.state).toBe('closed');
  });

  it('the old model speaks again while the next connection sets up: the switch waits; held input goes to the old one', () => {
    const t = start();
    const old = t.conns[0].ready();
    old.handle();
    old.goAway('20s'); // idle: the switch starts at once
    t.say(2); // held for the next connection
    old.speak(3); // proactive audio on the old connection: its handle is stale now
    expect(t.conns[1].state).toBe('closed');
    expect(old.frames.map((f) => f.label)).toEqual(['a0', 'a1']);
    t.say(1);
    old.turnComplete();
    old.handle();
    t.last().ready();
    expect(t.heard).toHaveLength(3);
    expect(audioIn(t.last())).toEqual(t.sent());
    expect(t.last().frames).toEqual([]); // its handle covers everything
  });

  it('a server that sends no lastConsumedClientMessageIndex: the handle covers what was written before it', () => {
    const t = start();
    const old = t.conns[0].ready();
    t.say(3);
    old.emit('resumption', 'bare-handle');
    Fake.handles.set('bare-handle', { conn: old, index: 3 });
    t.say(2);
    old.end(1006);
    jest.advanceTimersByTime(0);
    t.last().ready();
    expect(t.last().resumedFrom).toBe('bare-handle');
    expect(t.last().frames.map((f) => f.label)).toEqual(['a3', 'a4']);
  });

  it('a next connection that keeps failing never closes the old one; it serves, and the switch is retried with backoff', () => {
    const t = start({ backoffMs: [0, 100, 200] });
    const old = t.conns[0].ready();
    old.handle();
    old.goAway('20s');
    for (let attempt = 0; attempt < 5; attempt++) {
      t.last().end(1011, 'unavailable');
      expect(old.state).toBe('ready');
      t.say(1); // goes to the old connection meanwhile
      expect(old.frames.at(-1)?.label).toBe(`a${attempt}`);
      jest.advanceTimersByTime(200);
    }
    expect(t.closes).toEqual([]);
    expect(t.conns.length).toBeGreaterThan(5);
    t.last().ready();
    expect(audioIn(t.last())).toEqual(t.sent());
    expect(t.switches[0].attempt).toBe(5);
  });

  it('refused (1011) while the issuer is open: keeps it serving, closes it first when time is nearly up; then closes first at once', () => {
    const t = start({ backoffMs: [0, 100, 60_000], switchMarginMs: 1000 });
    const old = t.conns[0].ready();
    t.say(2);
    old.handle(1);
    old.goAway('5s');
    t.conns[1].end(1011, 'session still active');
    expect(old.state).toBe('ready'); // one ambiguous 1011 never costs the serving connection
    t.say(1);
    for (const delay of [0, 100]) {
      jest.advanceTimersByTime(delay);
      t.last().end(1011, 'session still active');
    }
    expect(t.conns).toHaveLength(4);
    expect(old.state).toBe('ready');
    jest.advanceTimersByTime(3900); // timeLeft − margin: close the issuer, then resume
    expect(old.state).toBe('closed');
    const next = t.last();
    expect(next.resumedFrom).toBe('h1.1');
    next.ready();
    expect(audioIn(next)).toEqual(t.sent());
    // Confirmed for this call: the next switch closes the issuer first, at the safe point.
    next.handle();
    next.goAway('60s');
    expect(next.state).toBe('closed');
    t.last().ready();
    expect(audioIn(t.last())).toEqual(t.sent());
  });

  it('when every attempt fails after the old connection is gone, closes once with the reason', () => {
    const t = start({ backoffMs: [0, 10] });
    const old = t.conns[0].ready();
    old.handle();
    old.goAway('2s');
    t.last().end(1011, 'unavailable');
    jest.advanceTimersByTime(2000); // the old one's time is up
    old.end(1011, 'Deadline expired');
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(10);
      t.last().end(1011, 'unavailable');
    }
    expect(t.closes).toHaveLength(1);
    expect(t.closes[0].reason).toMatch(/could not be recovered/);
    expect(t.session.state).toBe('closed');
  });

  it('abrupt death: replays exactly what the last handle did not cover', () => {
    const t = start();
    const old = t.conns[0].ready();
    t.say(6);
    old.handle(4);
    old.end(1006, 'TCP reset');
    t.say(2); // during the backoff
    jest.advanceTimersByTime(0);
    const next = t.last();
    expect(next.resumedFrom).toBe('h1.1');
    next.ready();
    expect(next.frames.map((f) => f.label)).toEqual(['a4', 'a5', 'a6', 'a7']);
    expect(audioIn(next)).toEqual(t.sent());
  });

  it('switches during setup: a first connection that dies before setupComplete, and a goAway before ready', () => {
    const t = start();
    t.say(2);
    t.conns[0].end(1011, 'overloaded');
    jest.advanceTimersByTime(0);
    t.conns[1].goAway('20s'); // acted on once it serves
    t.conns[1].ready();
    t.conns[1].handle();
    expect(t.conns).toHaveLength(3);
    t.conns[2].ready();
    expect(audioIn(t.conns[2])).toEqual(t.sent());
  });

  it('the old connection dies while the next is in setup: the next takes over, nothing lost', () => {
    const t = start();
    const old = t.conns[0].ready();
    t.say(3);
    old.handle(1);
    old.goAway('20s');
    old.end(1006);
    t.say(1);
    expect(t.conns).toHaveLength(2);
    t.conns[1].ready();
    expect(audioIn(t.conns[1])).toEqual(t.sent());
  });

  it('during reconnect backoff, audio and text notes are held and arrive once, in order', () => {
    const t = start({ backoffMs: [500] });
    const old = t.conns[0].ready();
    old.handle();
    old.end(1006);
    for (let d = 0; d < 5; d++) {
      t.say(3);
      t.session.sendText(`digit ${d}`);
    }
    jest.advanceTimersByTime(500);
    t.last().ready();
    const notes = t
      .last()
      .history()
      .filter((l) => l.startsWith('digit'));
    expect(notes).toEqual([
      'digit 0',
      'digit 1',
      'digit 2',
      'digit 3',
      'digit 4',
    ]);
    expect(audioIn(t.last())).toEqual(t.sent());
  });

  it('a full replay buffer drops the oldest audio only, never a control message', () => {
    const t = start({ replay: { maxAudio: 4, maxControl: 100 } });
    t.session.sendText('first');
    t.say(10);
    t.session.sendControl({ realtimeInput: { audioStreamEnd: true } });
    t.conns[0].ready();
    const labels = t.conns[0].history();
    expect(labels[0]).toBe('first');
    expect(labels.slice(1, 5)).toEqual(['a6', 'a7', 'a8', 'a9']);
    expect(labels[5]).toContain('audioStreamEnd');
    expect(t.session.droppedFrames).toBe(6);
  });

  it('a connection lost with a tool call open: the call is cancelled and a late answer goes nowhere', () => {
    const t = start();
    const old = t.conns[0].ready();
    old.handle();
    old.toolCall('slow-1');
    old.end(1006);
    expect(t.cancelled).toEqual(['slow-1']);
    jest.advanceTimersByTime(0);
    t.last().ready();
    t.session.sendToolResponse([
      { id: 'slow-1', name: 'lookup', response: {} },
    ]);
    expect(t.last().frames).toEqual([]);
    expect(t.session.orphanedToolResponses).toBe(1);
  });

  it('a throwing listener ends the session with 1011, inside its own fault boundary', () => {
    const t = start();
    t.session.on('audio', () => {
      throw new Error('listener bug');
    });
    const old = t.conns[0].ready();
    expect(() => old.speak()).not.toThrow();
    expect(t.closes).toEqual([
      expect.objectContaining({ code: 1011 }) as LiveSessionClosed,
    ]);
    expect(old.state).toBe('closed');
  });
});
