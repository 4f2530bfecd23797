import {
  CALL_REGISTRY,
  CALL_STORE,
  type CallRegistry,
  type CallStore,
  InMemoryCallRegistry,
  InMemoryCallStore,
} from '@app/call-manager';
import type { ProviderOverride } from './call-harness';

interface Rule {
  mode: 'reject' | 'hang';
  once: boolean;
}

/** Every method, for `reject()` and `hang()` without names. */
const ANY = '*';

/**
 * A backend whose methods a test can switch, per method, to reject or to hang (a promise that does
 * not settle until `releaseHung()`); untouched methods go to the real backend. The app gets
 * `backend`, a proxy of the real one, so whatever methods the app calls are covered.
 */
export class FaultSwitch<T extends object> {
  readonly backend: T;
  private readonly rules = new Map<string, Rule>();
  private readonly hung: Array<() => void> = [];
  private readonly hitCounts = new Map<string, number>();

  constructor(
    readonly name: string,
    real: T,
  ) {
    this.backend = new Proxy(real, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (
          typeof prop !== 'string' ||
          prop === 'constructor' ||
          typeof value !== 'function'
        )
          return value;
        return (...args: unknown[]): unknown =>
          this.invoke(prop, () => Reflect.apply(value, target, args));
      },
    });
  }

  /** The named methods (none: every method) reject until `heal()`. */
  reject(...methods: Array<keyof T & string>): void {
    this.set(methods, { mode: 'reject', once: false });
  }

  /** The next call of `method` rejects; later calls reach the backend again. */
  rejectOnce(method: keyof T & string): void {
    this.set([method], { mode: 'reject', once: true });
  }

  /** The named methods (none: every method) return promises that never settle, until `heal()`. */
  hang(...methods: Array<keyof T & string>): void {
    this.set(methods, { mode: 'hang', once: false });
  }

  /** Stops injecting faults; calls already hanging keep hanging. */
  heal(): void {
    this.rules.clear();
  }

  /** Lets every hanging call go on to the real backend (teardown, so the app can close). */
  releaseHung(): void {
    for (const release of this.hung.splice(0)) release();
  }

  /** How many calls of `method` (none: of any method) met an injected fault. */
  hits(method?: keyof T & string): number {
    if (method !== undefined) return this.hitCounts.get(method) ?? 0;
    let total = 0;
    for (const count of this.hitCounts.values()) total += count;
    return total;
  }

  private set(methods: string[], rule: Rule): void {
    for (const method of methods.length > 0 ? methods : [ANY])
      this.rules.set(method, rule);
  }

  private invoke(method: string, call: () => unknown): unknown {
    const key = this.rules.has(method) ? method : ANY;
    const rule = this.rules.get(key);
    if (!rule) return call();
    if (rule.once) this.rules.delete(key);
    this.hitCounts.set(method, (this.hitCounts.get(method) ?? 0) + 1);
    if (rule.mode === 'reject') {
      return Promise.reject(
        new Error(`injected fault: ${this.name}.${method} rejected`),
      );
    }
    return new Promise((resolve, reject) => {
      this.hung.push(() => {
        Promise.resolve().then(call).then(resolve, reject);
      });
    });
  }
}

/** The in-memory store and registry behind fault switches, and the overrides that install them. */
export interface FaultyBackends {
  store: FaultSwitch<CallStore>;
  registry: FaultSwitch<CallRegistry>;
  overrides: ProviderOverride[];
  /** Heals both and releases every hanging call. */
  restore(): void;
}

export function faultyBackends(): FaultyBackends {
  const store = new FaultSwitch<CallStore>('store', new InMemoryCallStore());
  // No instance id: a registry that does not track owners (one instance, local router).
  const registry = new FaultSwitch<CallRegistry>(
    'registry',
    new InMemoryCallRegistry(),
  );
  return {
    store,
    registry,
    overrides: [
      { token: CALL_STORE, value: store.backend },
      { token: CALL_REGISTRY, value: registry.backend },
    ],
    restore: () => {
      for (const faults of [store, registry]) {
        faults.heal();
        faults.releaseHung();
      }
    },
  };
}
