import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentProfiles } from './agent-profiles.loader';

describe('loadAgentProfiles: transferTargets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function load(profiles: object) {
    const file = join(dir, `${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(profiles));
    return () => loadAgentProfiles(file, { name: 'default' });
  }

  it('keeps numbers and SIP URIs under usable names', () => {
    const targets = {
      sales: '+14155550123',
      support: 'sip:desk@pbx.example.com',
      'after-hours': 'sips:night@pbx.example.com;transport=tls',
    };
    const config = load({
      default: {
        name: 'desk',
        tools: ['transfer_call'],
        transferTargets: targets,
      },
    })();
    expect(config.default.transferTargets).toEqual(targets);
  });

  it.each([
    [{ sales: '4155550123' }, 'transferTargets.sales: must be an E.164 number'],
    [{ sales: 'tel:+14155550123' }, 'transferTargets.sales: must be an E.164'],
    [{ sales: 'sip:<script>@x' }, 'transferTargets.sales: must be an E.164'],
    [{ sales: 12 }, 'transferTargets.sales: must be an E.164'],
    [{ 'sales desk': '+14155550123' }, 'names are letters, digits, _ or -'],
    [{}, 'transferTargets: names no target'],
    [['+14155550123'], 'transferTargets: must be an object'],
  ])('refuses %j with a reason', (transferTargets, reason) => {
    expect(load({ default: { name: 'desk', transferTargets } })).toThrow(
      reason,
    );
  });

  it('names the profile the problem is in', () => {
    expect(
      load({
        numbers: {
          '+15550000100': { name: 'n', transferTargets: { a: 'nope' } },
        },
      }),
    ).toThrow('numbers.+15550000100.transferTargets.a: must be an E.164');
  });
});
