import { callRegistryContract } from './call-registry.contract';
import { InMemoryCallRegistry } from './in-memory-call-registry.driver';

callRegistryContract('InMemoryCallRegistry', () => new InMemoryCallRegistry());
callRegistryContract(
  'InMemoryCallRegistry with an instance id',
  () => new InMemoryCallRegistry('instance-a'),
);

describe('InMemoryCallRegistry', () => {
  it('reports itself healthy', async () => {
    const registry = new InMemoryCallRegistry();
    await expect(registry.health()).resolves.toEqual({
      backend: 'memory',
      ok: true,
    });
    await expect(registry.close()).resolves.toBeUndefined();
  });
});
