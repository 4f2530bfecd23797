/**
 * `npm run bench:load -- --calls N --seconds S [--target service|relay|both] [--upstream-frame-ms 20,40]
 *   [--generator busy|sleep]`
 * — N simulated calls at real-time pacing (20 ms caller frames up, 40 ms agent chunks down) through the
 * real service (built, its own process; once per UPSTREAM_FRAME_MS listed, 20 by default), and the
 * same load through a bare WebSocket relay (bench/load/bare-relay.ts) as the floor. A caller frame
 * batched upstream counts as arriving with its message (so its latency includes the wait). Prints
 * frames lost, added latency p50/p99/max per direction, the process's CPU seconds (user + kernel) per
 * call-minute of audio it carried in the measured window (and so calls per core), the user-space
 * share, the process's load (% of one core: near 100 % it is saturated, and its latency shows it), and
 * its peak RSS. LOAD_NODE_ARGS passes flags to the service and to the relay alike (e.g. `--cpu-prof`
 * or `--perf-basic-prof` to see where their time goes). The targets are in bench/load/targets.ts.
 *
 * The generator (phones and Gemini endpoint, this process) busy-polls by default (`--generator busy`):
 * on loopback the kernel runs the reader's side of every write in the writer's context, waking the
 * reader if it sleeps, so a generator that sleeps between bursts charges its own wake-ups to the
 * target's kernel time — more to a slower target, which finds it asleep more often (measured: the
 * wake-up path was 12 % of the service's CPU samples against 3 % of the relay's, its writes took 2.1×
 * as long for the same number of writes). Real peers are other machines. Busy-polling costs the
 * generator one core; `--generator sleep` measures the old way.
 */
import { toneInt16 } from '@app/simulators';
import { readFileSync } from 'node:fs';
import { LoadCall, relayTarget, serviceTarget } from './load/targets';
import { UpstreamStub } from './load/upstream.stub';

const CLOCK_TICKS = 100; // Linux USER_HZ
const CALLER_PAYLOAD = Buffer.alloc(160, 0xff).toString('base64');
const AGENT_CHUNK = JSON.stringify({
  serverContent: {
    modelTurn: {
      parts: [
        {
          inlineData: {
            mimeType: 'audio/pcm;rate=24000',
            data: Buffer.from(toneInt16(24000, 440, 40, 6000).buffer).toString(
              'base64',
            ),
          },
        },
      ],
    },
  },
});

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

/** CPU seconds used so far by a process (user, kernel), from /proc. */
function cpuSeconds(pid: number): { user: number; sys: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  return {
    user: Number(fields[11]) / CLOCK_TICKS,
    sys: Number(fields[12]) / CLOCK_TICKS,
  };
}

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

function stats(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

async function run(
  kind: 'service' | 'relay',
  calls: number,
  seconds: number,
  upstreamFrameMs = 20,
): Promise<string> {
  const upstream = await UpstreamStub.start(kind === 'relay');
  const target =
    kind === 'service'
      ? await serviceTarget(upstream, calls, upstreamFrameMs)
      : await relayTarget(upstream);
  const live: LoadCall[] = [];
  try {
    for (let i = 0; i < calls; i++) live.push(await target.connect(upstream));
    // Real-time pacing for every call on one clock: caller frames every 20 ms, agent chunks every 40 ms.
    let tick = 0;
    // Pacing stops on a multiple of 120 ms, so no call is left with a partial upstream batch.
    let stopped: (() => void) | undefined;
    const timer = setInterval(() => {
      if (stopped && tick % 6 === 0) {
        clearInterval(timer);
        return stopped();
      }
      tick++;
      const now = performance.now();
      for (const call of live) {
        call.upSent.push(now);
        call.phone.send(
          `{"event":"media","sequenceNumber":"${tick + 1}","media":{"track":"inbound","chunk":"${tick}",` +
            `"timestamp":"${tick * 20}","payload":"${CALLER_PAYLOAD}"},"streamSid":"${call.streamSid}"}`,
        );
        if (tick % 2 === 0) {
          call.downSent.push(now);
          call.upstream.socket.send(AGENT_CHUNK, { binary: true });
        }
      }
    }, 20);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up
    const windowStart = performance.now();
    const cpuStart = cpuSeconds(target.pid);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpuEnd = cpuSeconds(target.pid);
    const userUsed = cpuEnd.user - cpuStart.user;
    const cpuUsed = userUsed + cpuEnd.sys - cpuStart.sys;
    const windowEnd = performance.now();
    await new Promise<void>((resolve) => (stopped = resolve));
    await new Promise((resolve) => setTimeout(resolve, 500)); // let in-flight frames land

    const up: number[] = [];
    const down: number[] = [];
    let upLost = 0;
    let downLost = 0;
    for (const call of live) {
      upLost += call.upSent.length - call.upstream.received.length;
      downLost += call.downSent.length - call.downReceived.length;
      call.upSent.forEach((sent, i) => {
        const got = call.upstream.received[i];
        if (sent >= windowStart && sent <= windowEnd && got !== undefined)
          up.push(got - sent);
      });
      call.downSent.forEach((sent, i) => {
        const got = call.downReceived[i];
        if (sent >= windowStart && sent <= windowEnd && got !== undefined)
          down.push(got - sent);
      });
    }
    const u = stats(up);
    const d = stats(down);
    // Cost per call-minute of audio the target actually carried in the window (caller frames in at
    // 20 ms each, agent chunks out at 40 ms each, both directions averaged): a target that cannot keep
    // up falls behind instead of looking cheap (CPU per wall-clock window stops growing at 100 %).
    const inWindow = (times: number[]): number =>
      times.filter((t) => t >= windowStart && t <= windowEnd).length;
    let carriedMs = 0;
    for (const call of live)
      carriedMs +=
        (inWindow(call.upstream.received) * 20 +
          inWindow(call.downReceived) * 40) /
        2;
    const perCallMinute = cpuUsed / (carriedMs / 60000);
    const load = (100 * cpuUsed) / ((windowEnd - windowStart) / 1000);
    const ms = (v: number): string => v.toFixed(2);
    return (
      `| ${target.name} | ${calls} | ${upLost} / ${downLost} | ${ms(u.p50)} / ${ms(u.p99)} / ${ms(u.max)} | ` +
      `${ms(d.p50)} / ${ms(d.p99)} / ${ms(d.max)} | ${perCallMinute.toFixed(3)} | ${((100 * userUsed) / cpuUsed).toFixed(0)} % | ${load.toFixed(0)} % | ${(60 / perCallMinute).toFixed(0)} | ` +
      `${peakRssMb(target.pid).toFixed(0)} MB |`
    );
  } finally {
    for (const call of live) call.phone.terminate();
    await target.stop();
    await upstream.close();
  }
}

/**
 * Keeps this process's event loop turning without blocking in epoll (one `setImmediate` after
 * another), so a target's writes never have to wake it. Returns the function that stops it.
 */
function busyPoll(): () => void {
  let on = true;
  const turn = (): void => {
    if (on) setImmediate(turn);
  };
  turn();
  return () => {
    on = false;
  };
}

async function main(): Promise<void> {
  const calls = Number(arg('calls', '100'));
  const seconds = Number(arg('seconds', '20'));
  const target = arg('target', 'both');
  // UPSTREAM_FRAME_MS values to run the service with (comma list: `--upstream-frame-ms 20,40`).
  const frames = arg('upstream-frame-ms', '20').split(',').map(Number);
  const generator = arg('generator', 'busy');
  if (generator !== 'busy' && generator !== 'sleep')
    throw new Error(`--generator is busy or sleep (got ${generator})`);
  console.log(
    `Load benchmark — Node ${process.version}, ${calls} calls × ${seconds} s at real-time pacing, ` +
      `generator ${generator === 'busy' ? 'busy-polling' : 'sleeping between bursts'}`,
  );
  const stopPolling = generator === 'busy' ? busyPoll() : () => undefined;
  console.log(
    '| target | calls | frames lost up / down | up latency p50 / p99 / max (ms) | down latency p50 / p99 / max (ms) | CPU s per call-minute | of it in user space | process load (% of a core) | calls per core | peak RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  if (target !== 'relay')
    for (const frameMs of frames)
      console.log(await run('service', calls, seconds, frameMs));
  if (target !== 'service') console.log(await run('relay', calls, seconds));
  stopPolling();
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
