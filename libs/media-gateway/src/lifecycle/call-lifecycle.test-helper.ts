import { AudioBridgeService, CallAudioPipelines } from '@app/audio-bridge';
import {
  CALL_REGISTRY,
  CALL_ROUTER,
  CALL_STORE,
  CallEvents,
  CallManagerModule,
  CallRecord,
  CallRouter,
  CallsService,
  InMemoryCallRegistry,
  InMemoryCallStore,
  LiveCallSummary,
} from '@app/call-manager';
import { AgentToolRegistry, LiveSession } from '@app/gemini-client';
import { Test } from '@nestjs/testing';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { MediaGatewayOptions } from '../media-gateway.options';
import { CallLifecycle } from './call-lifecycle';

export const CALL_SID = 'CA' + 'a'.repeat(32);
export const STREAM_SID = 'MZ' + 'b'.repeat(32);

/** A promise the test settles. */
export class Deferred<T = void> {
  resolve!: (value: T) => void;
  readonly promise = new Promise<T>((resolve) => (this.resolve = resolve));
}

/** The in-memory registry, with a gate the test opens before a stream claim completes. */
export class GatedRegistry extends InMemoryCallRegistry {
  claimGate?: Deferred;

  override async claimStream(
    callSid: string,
    streamSid: string,
    patch: Partial<LiveCallSummary>,
  ): Promise<boolean> {
    await this.claimGate?.promise;
    return super.claimStream(callSid, streamSid, patch);
  }
}

/** The in-memory store, counting final-record writes per reason. */
export class CountingStore extends InMemoryCallStore {
  readonly finals: string[] = [];

  override update(
    callSid: string,
    patch: Partial<CallRecord>,
  ): Promise<boolean> {
    if (patch.endedAt) this.finals.push(String(patch.endReason));
    return super.update(callSid, patch);
  }
}

export class FakeSession extends EventEmitter {
  state: LiveSession['state'] = 'ready';
  closes = 0;
  held = false;
  readonly audio: string[] = [];
  droppedFrames = 0;
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
  }
  sendAudio(b64: string): void {
    this.audio.push(b64);
  }
  sendText(): void {}
  sendToolResponse(): void {}
  close(): void {
    this.closes++;
    this.state = 'closed';
  }
}

export class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  closed?: { code: number; reason: string };
  /** Twilio frames arrive as strings, or as Buffers sent as text (BoundedFrameSender asciiAudio). */
  send(data: string | Buffer): void {
    this.sent.push(JSON.parse(data.toString()) as Record<string, unknown>);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.readyState = WebSocket.CLOSED;
    this.emit('close', code, Buffer.from(reason));
  }
}

export const OPTIONS: MediaGatewayOptions = {
  authToken: 'lifecycle-spec-token',
  maxCallDurationMs: 60_000,
  idleTimeoutMs: 15_000,
  streamTokenTtlMs: 30_000,
  streamStartTimeoutMs: 10_000,
};

/** A real CallsService (in-memory backends) and a CallLifecycle for one call, with fakes around it. */
export async function lifecycleFixture(
  options: Partial<MediaGatewayOptions> = {},
) {
  const store = new CountingStore();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CallManagerModule.forRootAsync({
        useFactory: () => ({
          maxConcurrentCalls: 1,
          stepTimeoutMs: 200,
          drainTimeoutMs: 0,
        }),
      }),
    ],
  })
    .overrideProvider(CALL_REGISTRY)
    .useFactory({
      factory: (router: CallRouter) => new GatedRegistry(router.instanceId),
      inject: [CALL_ROUTER],
    })
    .overrideProvider(CALL_STORE)
    .useValue(store)
    .compile();
  const calls = moduleRef.get(CallsService);
  const registry = moduleRef.get<GatedRegistry>(CALL_REGISTRY);
  const sessions: FakeSession[] = [];
  const pipelines: CallAudioPipelines[] = [];
  const disposed: string[] = [];
  const audio = new AudioBridgeService();
  let ended = 0;
  const lifecycle = new CallLifecycle({
    parties: { callSid: CALL_SID, from: '+15550001111', to: '+15550002222' },
    calls,
    audio: {
      createCallPipelines: () => {
        const made = audio.createCallPipelines();
        for (const side of ['caller', 'agent'] as const) {
          const dispose = made[side].dispose.bind(made[side]);
          made[side].dispose = () => {
            disposed.push(side);
            dispose();
          };
        }
        pipelines.push(made);
        return made;
      },
    } as unknown as AudioBridgeService,
    tools: { get: () => undefined } as unknown as AgentToolRegistry,
    events: moduleRef.get(CallEvents),
    options: { ...OPTIONS, ...options },
    openSession: () => {
      const session = new FakeSession();
      sessions.push(session);
      return session as unknown as LiveSession;
    },
    onEnded: () => ended++,
  });
  const socket = new FakeSocket();
  return {
    calls,
    registry,
    store,
    lifecycle,
    sessions,
    socket,
    disposed,
    endedCount: () => ended,
    /** Reserves the call with the lifecycle as its owner and opens the early session. */
    async reserve(): Promise<void> {
      expect(await calls.reserve(lifecycle['deps'].parties, lifecycle)).toBe(
        'reserved',
      );
      lifecycle.openEarlySession();
    },
    /** Hands the lifecycle a stream and waits until the registry claim has completed. */
    async stream(): Promise<void> {
      expect(
        lifecycle.acceptStream(socket as unknown as WebSocket, STREAM_SID),
      ).toBeDefined();
      await until(() => lifecycle.state !== 'connecting');
    },
    /**
     * Once the call has ended: delisted, slot free, every Gemini session closed, no timer left, DSP
     * memory returned (when a stream had started), exactly one final record with `reason`.
     */
    async expectNothingLeft(reason: string): Promise<void> {
      // Stream messages emitted by the test are handled in this turn's batch (TurnBatch): let it run.
      await new Promise((resolve) => setImmediate(resolve));
      await lifecycle.settled;
      expect(lifecycle.state).toBe('ended');
      expect(ended).toBe(1);
      expect(await calls.list()).toEqual([]);
      expect(await calls.liveCount()).toBe(0);
      expect(await registry.get(CALL_SID)).toBeUndefined();
      for (const session of sessions) expect(session.closes).toBeGreaterThan(0);
      expect(lifecycle.activeTimers).toBe(0);
      expect(disposed.length).toBe(pipelines.length * 2);
      expect(store.finals).toEqual([reason]);
      expect((await store.get(CALL_SID))?.endReason).toBe(reason);
      await moduleRef.close();
    },
    close: () => moduleRef.close(),
  };
}

/** Resolves once `condition` holds, checking after each turn of the event loop (at most 2000 turns). */
export async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}
