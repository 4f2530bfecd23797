import { callRegistryContract } from './call-registry.contract';
import { InMemoryCallRegistry } from './in-memory-call-registry.driver';

callRegistryContract('InMemoryCallRegistry', () => new InMemoryCallRegistry());
