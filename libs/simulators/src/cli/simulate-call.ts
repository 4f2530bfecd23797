/**
 * Places one simulated Twilio call against a running service, speaks a WAV file (or a 1 kHz tone),
 * waits for the agent's reply, hangs up, writes what the caller heard and prints a summary.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register \
 *     libs/simulators/src/cli/simulate-call.ts --url http://127.0.0.1:8080 \
 *     --public-url https://voice.example.test --auth-token <token> [--wav in.wav] [--out heard.wav]
 */
import { createResampler, resampleInt16 } from '@app/audio-bridge';
import { rmsInt16, toneInt16 } from '../audio/pcm.util';
import { sleep } from '../shared/waiters.util';
import { TwilioCallSimulator } from '../twilio/twilio-call.simulator';
import { readWav } from '../wav';

export interface SimulateCallArgs {
  url: string;
  publicUrl: string;
  authToken: string;
  wav?: string;
  from?: string;
  to?: string;
  out: string;
  /** Longest wait for the reply to finish, in seconds. */
  seconds: number;
}

const USAGE =
  'usage: simulate-call --auth-token <token> [--url http://127.0.0.1:8080] [--public-url <WEBHOOK_BASE_URL>]\n' +
  '                     [--wav caller.wav] [--from +1…] [--to +1…] [--out heard.wav] [--seconds 15]';

/** Parses `--name value` pairs; throws with the usage text on anything unexpected. */
export function parseArgs(argv: readonly string[]): SimulateCallArgs {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined)
      throw new Error(`bad argument ${name}\n${USAGE}`);
    values[name.slice(2)] = value;
  }
  const known = [
    'url',
    'public-url',
    'auth-token',
    'wav',
    'from',
    'to',
    'out',
    'seconds',
  ];
  const unknown = Object.keys(values).find((name) => !known.includes(name));
  if (unknown) throw new Error(`unknown option --${unknown}\n${USAGE}`);
  if (!values['auth-token'])
    throw new Error(`--auth-token is required\n${USAGE}`);
  const url = values.url ?? 'http://127.0.0.1:8080';
  const seconds = Number(values.seconds ?? 15);
  if (!(seconds > 0))
    throw new Error(`--seconds must be a positive number\n${USAGE}`);
  return {
    url,
    publicUrl: values['public-url'] ?? url,
    authToken: values['auth-token'],
    wav: values.wav,
    from: values.from,
    to: values.to,
    out: values.out ?? 'heard.wav',
    seconds,
  };
}

/** Caller audio at 8 kHz: the WAV resampled, or one second of 1 kHz tone. */
function callerAudio(wav: string | undefined): {
  samples: Int16Array;
  label: string;
} {
  if (!wav)
    return { samples: toneInt16(8000, 1000, 1000, 8000), label: '1 kHz tone' };
  const audio = readWav(wav);
  if (audio.rate === 8000) return { samples: audio.samples, label: wav };
  const resampler = createResampler(audio.rate, 8000);
  try {
    return {
      samples: resampleInt16(resampler, audio.samples),
      label: `${wav} (${audio.rate} Hz → 8 kHz)`,
    };
  } finally {
    resampler.dispose();
  }
}

/** Waits until the service has sent audio after `afterMs` and then gone quiet with nothing left to play. */
async function waitForReply(
  sim: TwilioCallSimulator,
  afterMs: number,
  deadlineMs: number,
): Promise<number | undefined> {
  let replyAt: number | undefined;
  while (sim.elapsedMs < deadlineMs) {
    const media = sim.received.filter(
      (m) => m.event === 'media' && m.atMs >= afterMs,
    );
    replyAt ??= media[0]?.atMs;
    const last = media[media.length - 1]?.atMs;
    if (last !== undefined && !sim.playing && sim.elapsedMs - last > 1000)
      break;
    await sleep(50);
  }
  return replyAt;
}

function nonSilentMs(samples: Int16Array): number {
  let blocks = 0;
  for (let at = 0; at + 160 <= samples.length; at += 160)
    if (rmsInt16(samples, at, at + 160) > 200) blocks++;
  return blocks * 20;
}

/** Runs one call; `code` is the CLI exit code (0 reply heard, 1 no stream, 2 no reply). */
export async function simulateCall(
  args: SimulateCallArgs,
): Promise<{ code: number; callSid: string }> {
  const sim = new TwilioCallSimulator({
    serviceUrl: args.url,
    publicUrl: args.publicUrl,
    authToken: args.authToken,
    from: args.from,
    to: args.to,
  });
  const result = await sim.placeCall();
  console.log(
    `call        ${sim.callSid}  POST /incoming-call → ${result.status}`,
  );
  if (!result.stream) {
    console.log(
      `no stream${result.streamError ? `: ${result.streamError}` : ''}\n${result.twiml}`,
    );
    return { code: 1, callSid: sim.callSid };
  }
  console.log(
    `stream      ${sim.streamSid}  ${result.streamUrl}  ${JSON.stringify(result.parameters)}`,
  );
  const audio = callerAudio(args.wav);
  await sim.sendSilence(200);
  await sim.sendAudio(audio.samples);
  const callerDoneMs = sim.elapsedMs;
  console.log(
    `caller      ${Math.round(audio.samples.length / 8)} ms of ${audio.label}`,
  );
  const replyAt = await waitForReply(
    sim,
    callerDoneMs,
    callerDoneMs + args.seconds * 1000,
  );
  await sim.hangUp();
  const status = await sim
    .postStatus('completed')
    .catch((error: Error) => ({ status: error.message }));
  const heard = sim.heardAudio();
  sim.writeHeardWav(args.out);
  const replyText =
    replyAt === undefined
      ? 'none'
      : `${Math.round(replyAt - callerDoneMs)} ms after the caller finished`;
  console.log(
    `first audio ${sim.firstAudioAtMs === undefined ? 'never' : `${Math.round(sim.firstAudioAtMs)} ms`}; reply ${replyText}`,
  );
  console.log(
    `heard       ${Math.round(heard.length / 8)} ms timeline, ${nonSilentMs(heard)} ms audible → ${args.out}`,
  );
  console.log(
    `marks       ${sim.marksReceived.length} received, ${sim.marksEchoed.length} echoed; clears ${sim.clearsAtMs.length}`,
  );
  console.log(
    `closed      ${JSON.stringify(await sim.closed)}; status callback → ${status.status}`,
  );
  console.log(
    `protocol    ${sim.protocolErrors.length === 0 ? 'ok' : sim.protocolErrors.slice(0, 10).join('; ')}`,
  );
  return { code: replyAt === undefined ? 2 : 0, callSid: sim.callSid };
}

if (require.main === module) {
  let args: SimulateCallArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(64);
  }
  simulateCall(args).then(
    ({ code }) => process.exit(code),
    (error: Error) => {
      const cause =
        error.cause instanceof Error ? `: ${error.cause.message}` : '';
      console.error(`simulate-call failed: ${error.message}${cause}`);
      process.exit(1);
    },
  );
}
