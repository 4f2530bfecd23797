import { AgentToolRegistry } from './agent-tool.registry';
import { ToolCallScope } from './tool-call.scope';
import Ajv from 'ajv';

function registryWith(
  handler: (args: unknown, ctx: { signal: AbortSignal }) => unknown,
  timeoutMs = 200,
  schema: object = { type: 'object' },
) {
  const validate = new Ajv().compile(schema);
  return {
    get: (name: string) =>
      name === 't'
        ? {
            options: { name: 't', description: '', timeoutMs },
            validate,
            handler,
          }
        : undefined,
  } as unknown as AgentToolRegistry;
}
const ctx = { callSid: 'CA1', from: '+1', to: '+2' };

describe('ToolCallScope', () => {
  it('returns the handler result', async () => {
    const scope = new ToolCallScope(
      registryWith(() => ({ ok: 1 })),
      ctx,
    );
    expect(await scope.run({ id: '1', name: 't', args: {} })).toMatchObject({
      id: '1',
      ok: true,
      response: { result: { ok: 1 } },
    });
  });
  it.each([
    ['a BigInt', () => ({ id: 10n })],
    [
      'a circular object',
      () => {
        const row: Record<string, unknown> = { name: 'loop' };
        row.self = row;
        return row;
      },
    ],
    [
      'a throwing toJSON',
      () => ({
        toJSON() {
          throw new Error('no JSON for you');
        },
      }),
    ],
  ])(
    'turns a result JSON cannot encode (%s) into an error response',
    async (_kind, handler) => {
      const scope = new ToolCallScope(registryWith(handler), ctx);
      const outcome = await scope.run({ id: '7', name: 't', args: {} });
      expect(outcome).toMatchObject({ id: '7', ok: false });
      expect(outcome.response.error).toMatch(/cannot be sent to the model/);
      expect(() => JSON.stringify(outcome.response)).not.toThrow();
    },
  );

  it('turns a timeout, an exception, bad arguments and an unknown tool into error responses', async () => {
    const slow = new ToolCallScope(
      registryWith(() => new Promise((r) => setTimeout(r, 1000)), 50),
      ctx,
    );
    expect(
      (await slow.run({ id: '1', name: 't', args: {} })).response.error,
    ).toMatch(/timed out after 50 ms/);
    const broken = new ToolCallScope(
      registryWith(() => {
        throw new Error('boom');
      }),
      ctx,
    );
    expect(
      (await broken.run({ id: '2', name: 't', args: {} })).response,
    ).toEqual({ error: 'boom' });
    const strict = new ToolCallScope(
      registryWith(() => 1, 200, {
        type: 'object',
        properties: { q: { type: 'string' } },
        required: ['q'],
      }),
      ctx,
    );
    expect(
      (await strict.run({ id: '3', name: 't', args: {} })).response.error,
    ).toMatch(/Invalid arguments/);
    expect(
      (await strict.run({ id: '4', name: 'nope', args: {} })).response.error,
    ).toMatch(/Unknown tool/);
  });
  it('cancels a running handler through its AbortSignal', async () => {
    let aborted = false;
    const scope = new ToolCallScope(
      registryWith(
        (_a, { signal }) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('x'));
            }),
          ),
        5000,
      ),
      ctx,
    );
    const running = scope.run({ id: '9', name: 't', args: {} });
    scope.cancel(['9']);
    const outcome = await running;
    expect(aborted).toBe(true);
    expect(outcome.cancelled).toBe(true);
  });
});
