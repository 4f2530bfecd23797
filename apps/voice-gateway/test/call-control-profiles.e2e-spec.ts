import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_SID, DESK } from './support/attack-harness';
import { startCallHarness } from './support/call-harness';

describe('Call control profiles at boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-attack-boot-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env.AGENT_PROFILES_FILE = '';
  });

  const boot = (name: string, profiles: object) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(profiles));
    return startCallHarness({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      AGENT_PROFILES_FILE: file,
    });
  };

  it('a profile listing transfer_call without transferTargets stops the start with a clear message', async () => {
    await expect(
      boot('no-targets', {
        default: { name: 'desk', tools: ['end_call'] },
        numbers: { [DESK]: { name: 'x', tools: ['transfer_call'] } },
      }),
    ).rejects.toThrow(
      /\+15550000300: transfer_call: the profile lists transfer_call but has no transferTargets/,
    );
  }, 20000);

  it('a transfer target named "__proto__" stops the start (it is not silently dropped)', async () => {
    // Written by hand: JSON.stringify would not keep a __proto__ key.
    const file = join(dir, 'proto.json');
    writeFileSync(
      file,
      '{"default":{"name":"desk","tools":["transfer_call"],"transferTargets":{"__proto__":"+14155550199","sales":"+14155550123"}}}',
    );
    process.env.AGENT_PROFILES_FILE = file;
    await expect(
      startCallHarness({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        AGENT_PROFILES_FILE: file,
      }),
    ).rejects.toThrow(/transferTargets\.__proto__: reserved name/);
  }, 20000);
});
