import type { DialOutcome } from './fake-twilio-api.types';
import type { TwimlStream, XmlElement } from './twiml.parser';
import { dialTargets, TwimlRunHost, TwimlRunner } from './twiml.runner';
import { parseXml } from './twiml.parser';

/** A host that records what the runner asks for and answers from scripts. */
class ScriptedHost implements TwimlRunHost {
  stopped = false;
  readonly log: string[] = [];
  readonly documents = new Map<string, string>();
  dialOutcome: DialOutcome = { status: 'no-answer' };
  onStream?: (stream: TwimlStream) => void;

  connectStream(stream: TwimlStream): Promise<void> {
    this.log.push(`stream ${stream.url} ${JSON.stringify(stream.parameters)}`);
    this.onStream?.(stream);
    return Promise.resolve();
  }

  fetchTwiml(
    url: string,
    method: string,
    params: Record<string, string>,
    kind: string,
  ): Promise<string> {
    this.log.push(`${kind} ${method} ${url} ${JSON.stringify(params)}`);
    const twiml = this.documents.get(url);
    return twiml === undefined
      ? Promise.reject(new Error(`${url} answered HTTP 404`))
      : Promise.resolve(twiml);
  }

  dial(element: XmlElement): Promise<DialOutcome> {
    this.log.push(`dial ${JSON.stringify(dialTargets(element))}`);
    return Promise.resolve(this.dialOutcome);
  }

  ran(verb: XmlElement): void {
    this.log.push(`verb ${verb.name}`);
  }

  wait(ms: number): Promise<void> {
    this.log.push(`wait ${ms}`);
    return Promise.resolve();
  }
}

describe('TwimlRunner', () => {
  let host: ScriptedHost;
  let runner: TwimlRunner;

  beforeEach(() => {
    host = new ScriptedHost();
    runner = new TwimlRunner(host, 10);
  });

  it('runs the verbs after </Connect> once the stream closes, then finishes', async () => {
    const outcome = await runner.run(
      '<Response><Connect><Stream url="wss://x.test/media-stream"><Parameter name="token" value="t"/></Stream></Connect><Say>Bye now</Say><Pause length="2"/></Response>',
    );
    expect(outcome).toBe('finished');
    expect(host.log).toEqual([
      'verb Connect',
      'stream wss://x.test/media-stream {"token":"t"}',
      'verb Say',
      'wait 70',
      'verb Pause',
      'wait 2000',
    ]);
  });

  it('stops at <Hangup/> and <Reject/>', async () => {
    await expect(
      runner.run('<Response><Hangup/><Say>never</Say></Response>'),
    ).resolves.toBe('hangup');
    await expect(runner.run('<Response><Reject/></Response>')).resolves.toBe(
      'reject',
    );
    expect(host.log).not.toContain('verb Say');
  });

  it('follows <Redirect> and <Dial action>, passing DialCallStatus and the duration', async () => {
    host.documents.set(
      'https://svc.test/next',
      '<Response><Dial action="https://svc.test/after" timeout="20"><Sip>sip:desk@pbx.test</Sip></Dial></Response>',
    );
    host.documents.set(
      'https://svc.test/after',
      '<Response><Say>Back</Say></Response>',
    );
    host.dialOutcome = { status: 'completed', durationSeconds: 42 };
    const outcome = await runner.run(
      '<Response><Redirect method="POST">https://svc.test/next</Redirect></Response>',
    );
    expect(outcome).toBe('finished');
    expect(host.log).toEqual([
      'verb Redirect',
      'twiml POST https://svc.test/next {}',
      'verb Dial',
      'dial [{"kind":"sip","value":"sip:desk@pbx.test"}]',
      'dial-action POST https://svc.test/after {"DialCallStatus":"completed","DialCallDuration":"42"}',
      'verb Say',
      'wait 40',
    ]);
  });

  it('a <Dial> without action goes on with the next verb', async () => {
    await expect(
      runner.run('<Response><Dial>+15550001111</Dial><Say>hi</Say></Response>'),
    ).resolves.toBe('finished');
    expect(host.log).toContain(
      'dial [{"kind":"number","value":"+15550001111"}]',
    );
    expect(host.log).toContain('verb Say');
  });

  it('returns stopped when stopped from outside, and error for bad TwiML or a failed fetch', async () => {
    host.onStream = () => (host.stopped = true);
    await expect(
      runner.run(
        '<Response><Connect><Stream url="wss://x.test/s"/></Connect><Say>after</Say></Response>',
      ),
    ).resolves.toBe('stopped');
    host.stopped = false;
    await expect(runner.run('<Response><Say>')).resolves.toBe('error');
    await expect(
      runner.run(
        '<Response><Redirect>https://svc.test/missing</Redirect></Response>',
      ),
    ).resolves.toBe('error');
  });

  it('gives up after ten chained documents', async () => {
    host.documents.set(
      'https://svc.test/loop',
      '<Response><Redirect>https://svc.test/loop</Redirect></Response>',
    );
    await expect(
      runner.run(
        '<Response><Redirect>https://svc.test/loop</Redirect></Response>',
      ),
    ).resolves.toBe('error');
  });

  it('reads <Dial> targets with whisper urls', () => {
    const dial = parseXml(
      '<Dial><Number url="https://svc.test/whisper">+15550002222</Number><Client>agent</Client></Dial>',
    ).children[0];
    expect(dialTargets(dial)).toEqual([
      {
        kind: 'number',
        value: '+15550002222',
        url: 'https://svc.test/whisper',
      },
      { kind: 'client', value: 'agent' },
    ]);
  });
});
