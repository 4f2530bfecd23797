import { EmulatedLiveSession as EmulatedSession } from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

type FunctionResponse = {
  id: string;
  name: string;
  response: Record<string, unknown>;
};

describe('Agent tools and profiles (real app, emulator, simulated Twilio)', () => {
  let h: CallHarness;
  const dir = mkdtempSync(join(tmpdir(), 'vg-profiles-'));
  const profilesFile = join(dir, 'profiles.json');
  const BAKERY = '+15550003333';

  beforeAll(async () => {
    writeFileSync(
      profilesFile,
      JSON.stringify({
        default: {
          name: 'front-desk',
          greeting: 'Thanks for calling, how can I help?',
        },
        numbers: {
          [BAKERY]: {
            name: 'bakery',
            systemInstruction: 'You answer the phone for a small bakery.',
            voice: 'Puck',
            language: 'de-DE',
            tools: ['opening_hours'],
          },
        },
      }),
    );
    h = await startCallHarness(
      { AGENT_PROFILES_FILE: profilesFile, EXAMPLE_MODULES: 'opening-hours' },
      { speechThreshold: 1e9, replyToToolResponses: false },
      () =>
        import('./support/test-tools.module').then((m) => [m.TestToolsModule]),
    );
  });

  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function callTo(to?: string) {
    const before = h.emulator.sessions.length;
    const call = h.call(to ? { to } : {});
    expect((await call.placeCall()).stream).toBe(true);
    const session = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await session.waitFor(() => session.handles.length > 0);
    return { call, session };
  }

  async function toolResponse(
    session: EmulatedSession,
    id: string,
  ): Promise<FunctionResponse> {
    await session.waitFor(
      (m) => JSON.stringify(m.toolResponse ?? {}).includes(`"${id}"`),
      3000,
    );
    return session.toolResponses.find(
      (r) => r.id === id,
    ) as unknown as FunctionResponse;
  }

  async function transcript(
    callSid: string,
  ): Promise<Array<{ role: string; text: string }>> {
    const body = (await (await h.admin(`/calls/${callSid}`)).json()) as {
      transcript: Array<{ role: string; text: string }>;
    };
    return body.transcript;
  }

  it('runs the example tool the model calls and answers with the same id; the transcript shows it', async () => {
    const { call, session } = await callTo();
    session.send({
      toolCall: {
        functionCalls: [
          { id: 'call-1', name: 'opening_hours', args: { day: 'monday' } },
        ],
      },
    });
    const response = await toolResponse(session, 'call-1');
    expect(response.name).toBe('opening_hours');
    expect(response.response.result).toMatchObject({
      day: expect.any(String) as string,
      open: expect.any(Boolean) as boolean,
    });
    const lines = await eventually(async () => {
      const entries = await transcript(call.callSid);
      return entries.some((e) => e.text.startsWith('tool opening_hours('))
        ? entries
        : undefined;
    });
    expect(
      lines.find((e) => e.text.startsWith('tool opening_hours('))?.role,
    ).toBe('system');
    await call.hangUp();
  });

  it('answers invalid arguments, a slow tool and a throwing tool with error responses; the call goes on', async () => {
    const { call, session } = await callTo();
    session.send({
      toolCall: {
        functionCalls: [
          { id: 'bad-args', name: 'long_search', args: { query: 42 } },
          { id: 'slow', name: 'slow_lookup', args: {} },
          { id: 'broken', name: 'broken_lookup', args: {} },
          { id: 'unknown', name: 'no_such_tool', args: {} },
        ],
      },
    });
    expect((await toolResponse(session, 'bad-args')).response.error).toMatch(
      /Invalid arguments: \/query must be string/,
    );
    expect((await toolResponse(session, 'slow')).response.error).toMatch(
      /timed out after 150 ms/,
    );
    expect((await toolResponse(session, 'broken')).response.error).toBe(
      'the inventory service is down',
    );
    expect((await toolResponse(session, 'unknown')).response.error).toMatch(
      /Unknown tool/,
    );
    // The call is still up and carrying audio.
    const frames = session.received.filter(
      (m) => m.realtimeInput?.audio,
    ).length;
    await call.sendSilence(200);
    expect(
      session.received.filter((m) => m.realtimeInput?.audio).length,
    ).toBeGreaterThan(frames);
    const live = (await (await h.admin('/calls')).json()) as {
      calls: Array<{ callSid: string }>;
    };
    expect(live.calls.map((c) => c.callSid)).toContain(call.callSid);
    await call.hangUp();
  });

  it('cancels a running tool on toolCallCancellation and sends no response for it', async () => {
    const { call, session } = await callTo();
    session.send({
      toolCall: {
        functionCalls: [
          { id: 'search-1', name: 'long_search', args: { query: 'rye bread' } },
        ],
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    session.send({ toolCallCancellation: { ids: ['search-1'] } });
    const lines = await eventually(async () => {
      const entries = await transcript(call.callSid);
      return entries.some(
        (e) => e.text.includes('long_search') && e.text.endsWith('cancelled'),
      )
        ? entries
        : undefined;
    });
    expect(lines.length).toBeGreaterThan(0);
    expect(
      session.toolResponses.find((r) => r.id === 'search-1'),
    ).toBeUndefined();
    await call.hangUp();
  });

  it('picks the agent profile by the dialled number: instruction, voice, language and tools in the setup', async () => {
    const bakery = await callTo(BAKERY);
    const setup = bakery.session.setup as unknown as {
      systemInstruction?: { parts: Array<{ text: string }> };
      generationConfig: {
        speechConfig: {
          voiceConfig: { prebuiltVoiceConfig: { voiceName: string } };
          languageCode?: string;
        };
      };
      tools?: Array<{ functionDeclarations: Array<{ name: string }> }>;
    };
    expect(setup.systemInstruction?.parts[0].text).toBe(
      'You answer the phone for a small bakery.',
    );
    expect(
      setup.generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig
        .voiceName,
    ).toBe('Puck');
    expect(setup.generationConfig.speechConfig.languageCode).toBe('de-DE');
    expect(setup.tools?.[0].functionDeclarations.map((d) => d.name)).toEqual([
      'opening_hours',
    ]);
    await bakery.call.hangUp();

    const other = await callTo('+15550009999');
    const defaults = other.session.setup as unknown as typeof setup;
    expect(
      defaults.generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig
        .voiceName,
    ).toBe('Kore');
    expect(defaults.tools?.[0].functionDeclarations.map((d) => d.name)).toEqual(
      expect.arrayContaining([
        'opening_hours',
        'order_status',
        'slow_lookup',
        'broken_lookup',
        'long_search',
      ]),
    );
    // The default profile's greeting is asked for once the session is ready.
    await other.session.waitFor((m) =>
      JSON.stringify(m.realtimeInput ?? {}).includes('Thanks for calling'),
    );
    await other.call.hangUp();
  });
});
