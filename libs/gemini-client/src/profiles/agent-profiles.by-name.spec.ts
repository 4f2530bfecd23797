import type { GeminiClientOptions } from '../gemini-client.options';
import type { AgentToolRegistry } from '../tools/agent-tool.registry';
import { AgentProfiles } from './agent-profiles';

const profiles = new AgentProfiles(
  {
    profiles: {
      default: { name: 'default', voice: 'Kore', greeting: 'Hello.' },
      numbers: {
        '+15550000100': {
          name: 'sales',
          greeting: 'Hi, Acme sales here.',
          voicemailMessage: 'Please call sales back.',
        },
        '+15550000200': { name: 'support' },
        '+15550000300': { name: 'sales', greeting: 'second sales number' },
      },
    },
  } as unknown as GeminiClientOptions,
  { names: [] } as unknown as AgentToolRegistry,
);

describe('AgentProfiles.byName (POST /calls picks a profile by name)', () => {
  it('finds a numbered profile by its name, merged over the default', () => {
    expect(profiles.byName('sales')).toEqual({
      name: 'sales',
      voice: 'Kore',
      greeting: 'Hi, Acme sales here.',
      voicemailMessage: 'Please call sales back.',
    });
    expect(profiles.byName('support')).toEqual({
      name: 'support',
      voice: 'Kore',
      greeting: 'Hello.',
    });
  });

  it('gives the default profile for no name or its own name, and nothing for an unknown one', () => {
    expect(profiles.byName(undefined)).toMatchObject({ name: 'default' });
    expect(profiles.byName('default')).toMatchObject({ name: 'default' });
    expect(profiles.byName('Sales')).toBeUndefined();
  });

  it('lists each name once, default first', () => {
    expect(profiles.names).toEqual(['default', 'sales', 'support']);
  });
});
