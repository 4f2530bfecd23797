import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AgentTool } from './agent-tool.decorator';
import { AgentToolRegistry } from './agent-tool.registry';

@Injectable()
class Tools {
  @AgentTool({ name: 'lookup', description: 'Looks up.' })
  lookup(): string {
    return 'found';
  }

  @AgentTool({
    name: 'hang_up',
    description: 'Hangs up.',
    optIn: true,
  })
  hangUp(): string {
    return 'bye';
  }

  @AgentTool({
    name: 'send_to',
    description: 'Sends the caller on.',
    optIn: true,
    forProfile: (profile) => {
      const names = Object.keys(profile.transferTargets ?? {});
      return names.length
        ? { note: `Targets: ${names.join(', ')}.` }
        : { problem: 'no targets' };
    },
  })
  sendTo(): string {
    return 'sent';
  }
}

/** Names and descriptions of a declarations() result. */
function declared(tools: unknown[]): Record<string, string> {
  const [entry] = tools as Array<{
    functionDeclarations: Array<{ name: string; description: string }>;
  }>;
  return Object.fromEntries(
    (entry?.functionDeclarations ?? []).map((d) => [d.name, d.description]),
  );
}

describe('AgentToolRegistry: opt-in tools and per-profile notes', () => {
  let registry: AgentToolRegistry;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [Tools, AgentToolRegistry],
    }).compile();
    await module.init();
    registry = module.get(AgentToolRegistry);
  });

  it('a profile that names no tools gets every tool except the opt-in ones', () => {
    expect(declared(registry.declarations({}))).toEqual({
      lookup: 'Looks up.',
    });
  });

  it('opt-in tools are declared when listed, with their per-profile note', () => {
    const profile = {
      name: 'desk',
      tools: ['hang_up', 'send_to'],
      transferTargets: { sales: '+14155550123', desk: 'sip:a@b.example' },
    };
    expect(declared(registry.declarations(profile))).toEqual({
      hang_up: 'Hangs up.',
      send_to: 'Sends the caller on. Targets: sales, desk.',
    });
    expect(registry.profileProblems(profile)).toEqual([]);
  });

  it('an empty tool list declares nothing; unknown names are skipped here (AgentProfiles refuses them at boot)', () => {
    expect(registry.declarations({ tools: [] })).toEqual([]);
    expect(
      declared(registry.declarations({ tools: ['nope', 'lookup'] })),
    ).toEqual({ lookup: 'Looks up.' });
  });

  it('reports why a profile cannot use a tool it lists', () => {
    expect(
      registry.profileProblems({ name: 'x', tools: ['send_to', 'lookup'] }),
    ).toEqual(['send_to: no targets']);
    // Not listed: not its problem.
    expect(registry.profileProblems({ name: 'x', tools: ['lookup'] })).toEqual(
      [],
    );
  });
});
