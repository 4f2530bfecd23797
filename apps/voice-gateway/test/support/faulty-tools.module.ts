import { AgentTool } from '@app/gemini-client';
import { Injectable, Module } from '@nestjs/common';

/** Tools whose results cannot be sent to Gemini as they are, or that fail: one per fault kind. */
@Injectable()
export class FaultyTools {
  @AgentTool({ name: 'bigint_result', description: 'Returns a BigInt.' })
  bigint(): bigint {
    return 10n;
  }

  @AgentTool({
    name: 'circular_result',
    description: 'Returns an object that contains itself.',
  })
  circular(): Record<string, unknown> {
    const result: Record<string, unknown> = { name: 'loop' };
    result.self = result;
    return result;
  }

  @AgentTool({ name: 'throws_sync', description: 'Throws at once.' })
  throwsSync(): never {
    throw new Error('thrown synchronously');
  }

  @AgentTool({ name: 'rejects', description: 'Rejects.' })
  rejects(): Promise<never> {
    return Promise.reject(new Error('rejected asynchronously'));
  }
}

@Module({ providers: [FaultyTools] })
export class FaultyToolsModule {}
