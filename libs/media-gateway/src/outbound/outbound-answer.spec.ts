import type { CallEndReason } from '@app/call-manager';
import type { LiveSession } from '@app/gemini-client';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { CallLog } from '../bridge/call-log';
import { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { CallTimers } from '../lifecycle/call-timers';
import { OutboundAnswer, OutboundPlan } from './outbound-answer';

/** A Live session that holds events like the real one and records what it is sent. */
class HeldSession extends EventEmitter {
  state: LiveSession['state'] = 'ready';
  readonly texts: string[] = [];
  readonly audio: string[] = [];
  releases = 0;
  private held?: Array<[string, unknown[]]>;
  hold(): void {
    this.held ??= [];
  }
  release(): void {
    this.releases++;
    const events = this.held ?? [];
    this.held = undefined;
    for (const [name, args] of events) super.emit(name, ...args);
  }
  override emit(name: string, ...args: unknown[]): boolean {
    if (this.held) {
      this.held.push([name, args]);
      return true;
    }
    return super.emit(name, ...args);
  }
  sendText(text: string): void {
    this.texts.push(text);
  }
  sendAudio(pcm: string): void {
    this.audio.push(pcm);
  }
}

describe('OutboundAnswer (what an outbound call does once AMD has spoken)', () => {
  let session: HeldSession;
  let gated: LiveSession;
  let ends: CallEndReason[];
  let hangUps: number;
  let drained: boolean;
  let faults: number;
  let answer: OutboundAnswer;

  const plan = (extra: Partial<OutboundPlan> = {}): OutboundPlan => ({
    greeting: 'Hi, Acme here.',
    voicemailMessage: 'Please call us back.',
    amdTimeoutMs: 35_000,
    voicemailMaxMs: 60_000,
    answerTimeoutMs: 90_000,
    hangUp: () => {
      hangUps++;
      return Promise.resolve();
    },
    ...extra,
  });

  function build(extra: Partial<OutboundPlan> = {}): void {
    const log = new CallLog('spec', { callSid: 'CA1' });
    const boundary = new CallFaultBoundary(log, () => faults++);
    answer = new OutboundAnswer(plan(extra), {
      boundary,
      timers: new CallTimers(boundary),
      log: () => log,
      end: (reason) => {
        ends.push(reason);
        return Promise.resolve();
      },
    });
    session = new HeldSession();
    gated = answer.gate(session as unknown as LiveSession);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    ends = [];
    hangUps = 0;
    drained = false;
    faults = 0;
    build();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** The bridge starts: it asks for the held events and wires its listeners. */
  function streamStarts(): void {
    gated.release();
    answer.streamStarted(() => drained);
  }

  it('holds the agent until the verdict: callee audio dropped, its early words kept back', () => {
    streamStarts();
    session.emit('audio', 'early-agent-audio');
    const heard: unknown[] = [];
    gated.on('audio', (data) => heard.push(data));
    gated.sendAudio('callee-hello');
    expect(session.audio).toEqual([]);
    expect(heard).toEqual([]);
    expect(session.releases).toBe(0);
    answer.decide('human');
    expect(heard).toEqual(['early-agent-audio']);
    gated.sendAudio('callee-after');
    expect(session.audio).toEqual(['callee-after']);
    expect(session.texts).toEqual([
      'The person you called has just answered the phone. Greet them by saying: "Hi, Acme here."',
    ]);
    expect(ends).toEqual([]);
  });

  it('a machine: the message, word for word; the end once that turn has played; the callee stays unheard', () => {
    streamStarts();
    answer.decide('machine_end_beep');
    expect(session.texts[0]).toContain(
      'word for word, and say nothing else: "Please call us back."',
    );
    gated.sendAudio('machine-noise');
    expect(session.audio).toEqual([]);
    session.emit('turnComplete');
    expect(ends).toEqual([]); // marks still out: the message is playing
    drained = true;
    answer.playbackDrained();
    expect(ends).toEqual(['voicemail']);
    expect(hangUps).toBe(1);
    answer.playbackDrained();
    expect(ends).toEqual(['voicemail']);
  });

  it('a verdict before the stream is applied when it starts; a fax ends the call at once', () => {
    answer.decide('machine_end_silence');
    expect(session.texts).toEqual([]);
    streamStarts();
    expect(session.texts[0]).toContain('An answering machine took the call');

    build();
    answer.decide('fax');
    expect(ends).toEqual(['fax']);
    expect(hangUps).toBe(1);
    streamStarts();
    expect(session.texts).toEqual([]);
  });

  it('no verdict in time: the callee is taken for a person; a late verdict changes nothing', () => {
    build({ greeting: undefined });
    streamStarts();
    jest.advanceTimersByTime(34_999);
    expect(session.texts).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(answer.answeredBy).toBe('unknown');
    expect(session.texts[0]).toMatch(/Greet them, say who you are/);
    answer.decide('machine_end_beep');
    expect(answer.answeredBy).toBe('unknown');
    expect(ends).toEqual([]);
  });

  it('a voicemail that never completes ends after voicemailMaxMs', () => {
    build({ voicemailMaxMs: 5000 });
    streamStarts();
    answer.decide('machine_end_other');
    jest.advanceTimersByTime(5000);
    expect(ends).toEqual(['voicemail']);
    expect(faults).toBe(0);
  });
});
