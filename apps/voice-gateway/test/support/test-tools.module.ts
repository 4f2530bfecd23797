import { AgentTool, ToolCallContext } from '@app/gemini-client';
import { Injectable, Module } from '@nestjs/common';

/** Tools that misbehave on purpose, for the tool-call e2e tests. */
@Injectable()
export class MisbehavingTools {
  cancelled: string[] = [];

  @AgentTool({
    name: 'slow_lookup',
    description: 'Takes too long.',
    timeoutMs: 150,
  })
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return 'too late';
  }

  @AgentTool({ name: 'broken_lookup', description: 'Always fails.' })
  broken(): never {
    throw new Error('the inventory service is down');
  }

  @AgentTool({
    name: 'long_search',
    description: 'Runs until cancelled.',
    timeoutMs: 10_000,
    parameters: {
      type: 'object',
      properties: { query: { type: 'string' } },
      required: ['query'],
    },
  })
  longSearch(
    args: { query: string },
    context: ToolCallContext,
  ): Promise<string> {
    return new Promise((_, reject) => {
      context.signal.addEventListener('abort', () => {
        this.cancelled.push(`${context.callSid}:${args.query}`);
        reject(new Error('cancelled'));
      });
    });
  }
}

@Module({ providers: [MisbehavingTools] })
export class TestToolsModule {}
