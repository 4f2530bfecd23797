import { BoundedFrameSender } from './bounded-frame-sender';

class SlowSocket {
  bufferedAmount = 0;
  readyState = 1;
  sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
    this.bufferedAmount += data.length;
  }
}

/** A SlowSocket over a byte stream that logs cork and uncork. */
function corkableSocket(log: string[]): SlowSocket {
  return Object.assign(new SlowSocket(), {
    _socket: {
      cork: () => log.push('cork'),
      uncork: () => log.push('uncork'),
    },
  });
}

describe('BoundedFrameSender', () => {
  it('passes frames straight through while the reader keeps up', () => {
    const socket = new SlowSocket();
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
    });
    sender.sendAudio('a');
    socket.bufferedAmount = 0;
    sender.sendAudio('b');
    expect(socket.sent).toEqual(['a', 'b']);
    expect(sender.queued).toBe(0);
  });

  it('queues behind a slow reader, drops the oldest audio beyond the bound, never control frames', async () => {
    const socket = new SlowSocket();
    socket.bufferedAmount = 1000;
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
      retryMs: 5,
    });
    sender.sendAudio('a1');
    sender.sendControl('mark');
    sender.sendAudio('a2');
    sender.sendAudio('a3');
    sender.sendAudio('a4');
    expect(sender.dropped).toBe(2); // a1, then a2
    expect(sender.queued).toBe(3);
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 20));
    expect(socket.sent).toEqual(['mark', 'a3', 'a4']);
    sender.close();
  });

  it('forgets queued audio on request but keeps control frames in order', async () => {
    const socket = new SlowSocket();
    socket.bufferedAmount = 1000;
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 10,
      retryMs: 5,
    });
    sender.sendAudio('a1');
    sender.sendControl('clear');
    sender.sendAudio('a2');
    sender.dropQueuedAudio();
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 20));
    expect(socket.sent).toEqual(['clear']);
    sender.close();
  });

  it('sends nothing to a closed socket', () => {
    const socket = new SlowSocket();
    socket.readyState = 3;
    new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
    }).sendAudio('a');
    expect(socket.sent).toEqual([]);
  });
  it('never drops a control frame, even when only control frames fill the queue', async () => {
    const socket = new SlowSocket();
    socket.bufferedAmount = 1000;
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 2,
      retryMs: 5,
    });
    for (const name of ['tool', 'text', 'content', 'end'])
      sender.sendControl(name);
    sender.sendAudio('a1');
    expect(sender.dropped).toBe(1); // the only audio frame, never a control one
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 20));
    expect(socket.sent).toEqual(['tool', 'text', 'content', 'end']);
    sender.close();
  });

  it('reports each written frame with its tag, in write order, and never a dropped one', async () => {
    const socket = new SlowSocket();
    const written: Array<number | undefined> = [];
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 2,
      retryMs: 5,
      onWrite: (tag) => written.push(tag),
    });
    sender.sendAudio('a1', 1);
    socket.bufferedAmount = 1000;
    sender.sendAudio('a2', 2);
    sender.sendControl('c3', 3);
    sender.sendAudio('a4', 4); // a2 is dropped
    expect(written).toEqual([1]);
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 20));
    expect(written).toEqual([1, 3, 4]);
    sender.close();
  });

  it('coalesces the frames of one turn: the byte stream is corked at the first and uncorked at the next tick', async () => {
    const log: string[] = [];
    const socket = corkableSocket(log);
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
    });
    sender.sendAudio('media');
    sender.sendControl('mark');
    expect(log).toEqual(['cork']);
    expect(socket.sent).toEqual(['media', 'mark']);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(log).toEqual(['cork', 'uncork']);
    socket.bufferedAmount = 0;
    sender.sendAudio('next turn');
    expect(log).toEqual(['cork', 'uncork', 'cork']);
  });

  it('close() flushes a corked turn at once (a close frame or a terminate may follow in the same tick), and only once', async () => {
    const log: string[] = [];
    const socket = corkableSocket(log);
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
    });
    sender.sendControl('goodbye mark');
    sender.close();
    expect(log).toEqual(['cork', 'uncork']);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(log).toEqual(['cork', 'uncork']);
  });

  it('with coalesce off, writes each frame straight to the socket (no cork)', () => {
    const log: string[] = [];
    const socket = corkableSocket(log);
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 3,
      coalesce: false,
    });
    sender.sendAudio('a');
    sender.sendControl('b');
    expect(socket.sent).toEqual(['a', 'b']);
    expect(log).toEqual([]);
  });

  it('with asciiAudio, hands audio to the socket as the same bytes in a Buffer sent as text; control frames stay strings', async () => {
    const calls: Array<{ data: string | Buffer; binary?: boolean }> = [];
    const socket = {
      bufferedAmount: 1000,
      readyState: 1,
      send(data: string | Buffer, options?: { binary?: boolean }) {
        calls.push({ data, binary: options?.binary });
      },
    };
    const sender = new BoundedFrameSender(socket, {
      highWaterBytes: 100,
      maxQueuedFrames: 5,
      retryMs: 5,
      asciiAudio: true,
    });
    const media = '{"event":"media","media":{"payload":"AAEC/+=="}}';
    sender.sendAudio(media); // queued (slow reader), then written by the retry
    sender.sendControl('{"note":"é"}');
    socket.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 20));
    sender.sendAudio(media); // straight through
    expect(calls).toHaveLength(3);
    for (const call of [calls[0], calls[2]]) {
      expect(Buffer.isBuffer(call.data)).toBe(true);
      expect((call.data as Buffer).toString('utf8')).toBe(media);
      expect(call.binary).toBe(false);
    }
    expect(calls[1]).toEqual({ data: '{"note":"é"}', binary: undefined });
    sender.close();
  });
});
