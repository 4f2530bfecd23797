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
});
