import { EventEmitter } from 'node:events';
import {
  constructorName,
  firstOf,
  isCredentialValue,
  isError,
  readSafely,
} from './scrub-walk.util';
import {
  HEADER_TEXT_RULE,
  isSecretKey,
  redactBase64Runs,
  testOnce,
  REDACTED,
  SecretPatterns,
  secretPatterns,
  TEXT_RULES,
} from './secret-patterns';

/** Bounds on what one logged value may cost (log lines are small; a runaway object must not be). */
export interface ScrubLimits {
  /** Nesting below this becomes `[Object]` / `[Array]`. */
  maxDepth: number;
  /** Keys kept per object (the rest are counted). */
  maxKeys: number;
  /** Items kept per array. */
  maxItems: number;
  /** Characters kept per string (after scrubbing). */
  maxString: number;
  /** Objects visited per value; past it, `[Truncated]`. */
  maxNodes: number;
}

const DEFAULT_LIMITS: ScrubLimits = {
  maxDepth: 8,
  maxKeys: 100,
  maxItems: 100,
  maxString: 16_384,
  maxNodes: 2_000,
};
/** Longer strings are cut here before scanning: linear time, and far beyond what is kept. */
const SCAN_LIMIT = 1_000_000;
/** A JSON string literal, escapes included; and `"key":"value"` (two of them) in a serialized line. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
const JSON_STRING_FIELD = /("(?:[^"\\]|\\.)*"):"(?:[^"\\]|\\.)*"/g;
/** Cheap pre-check for the rules (secret values are checked separately). */
const RULE_HINT = /=|@|\bBasic\s|\bBearer\s/;

/** Error fields written by SecretScrubber.error itself. */
const ERROR_OWN_KEYS = new Set([
  'name',
  'type',
  'message',
  'stack',
  'cause',
  'errors',
  'aggregateErrors',
]);

interface WalkState {
  nodes: number;
  ancestors: Set<object>;
}

/**
 * The one serializer between this process's data and anything that leaves it (log lines, /health,
 * error responses). Strips, at any depth: values of credential-named keys (isSecretKey), credentials
 * inside strings (URL passwords, `?key=`-style parameters, `Basic`/`Bearer` values, header text), and
 * the configured secret values wherever they appear — as is, JSON- or URL-encoded, or inside base64
 * (`Basic base64(sid:token)`). `value()` returns a JSON-safe copy: cycles, throwing getters, Errors
 * (message, stack, cause, AggregateError), Buffers, sockets and huge objects are all bounded.
 */
export class SecretScrubber {
  private readonly patterns?: SecretPatterns;
  private readonly limits: ScrubLimits;

  constructor(
    readonly secrets: readonly string[] = [],
    limits: Partial<ScrubLimits> = {},
  ) {
    this.patterns = secretPatterns(secrets);
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** `text` without credentials, cut to `maxString` characters. */
  text(text: string): string {
    const scanned = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
    let out = this.applyRules(scanned);
    const [header, replacement] = HEADER_TEXT_RULE;
    out = out.replace(header, replacement);
    return out.length > this.limits.maxString
      ? `${out.slice(0, this.limits.maxString)}…[${out.length - this.limits.maxString} more characters]`
      : out;
  }

  /**
   * A serialized JSON log line with the text rules applied inside each string literal, so that the
   * line stays valid JSON: the last pass over everything a logger writes.
   */
  line(json: string): string {
    // Credential-named fields first: a child logger's bindings never pass through the hooks (pino
    // serializes them once, at child()), so this pass is what scrubs `child({token})`.
    const keyed = json.replace(JSON_STRING_FIELD, (field, key: string) =>
      isSecretKey(JSON.parse(key) as string) ? `${key}:"${REDACTED}"` : field,
    );
    if (!this.mayContainCredentials(keyed)) return keyed;
    return keyed.replace(JSON_STRING, (literal) => this.applyRules(literal));
  }

  /** A JSON-safe copy of `value` without credentials (see the class comment). */
  value(value: unknown): unknown {
    return this.walk(value, undefined, 0, { nodes: 0, ancestors: new Set() });
  }

  /**
   * A log record's fields scrubbed one by one; keys in `passThrough` keep their value as it is (pino
   * serializers take those, e.g. the raw `req`/`res` of pino-http, and scrub what they produce).
   */
  fields(
    record: Record<string, unknown>,
    passThrough: ReadonlySet<string> = new Set(),
  ): Record<string, unknown> {
    let keys: string[];
    try {
      keys = Object.keys(record);
    } catch {
      return { fields: '[Unreadable]' };
    }
    const out: Record<string, unknown> = {};
    for (const key of keys)
      if (passThrough.has(key)) out[key] = readSafely(record, key);
    const state: WalkState = { nodes: 0, ancestors: new Set([record]) };
    return this.entries(
      keys
        .filter((key) => !passThrough.has(key))
        .map((key): [string, unknown] => [key, readSafely(record, key)]),
      0,
      state,
      out,
    );
  }

  private mayContainCredentials(text: string): boolean {
    const { literal, base64 } = this.patterns ?? {};
    return (
      RULE_HINT.test(text) || testOnce(literal, text) || testOnce(base64, text)
    );
  }

  /** Secret values first (with their base64 runs), then the pattern rules. */
  private applyRules(text: string): string {
    let out = text;
    if (this.patterns) {
      if (this.patterns.base64)
        out = redactBase64Runs(out, this.patterns.base64);
      out = out.replace(this.patterns.literal, REDACTED);
    }
    if (!RULE_HINT.test(out)) return out;
    for (const [rule, replacement] of TEXT_RULES)
      out = out.replace(rule, replacement);
    return out;
  }

  private walk(
    value: unknown,
    key: string | undefined,
    depth: number,
    state: WalkState,
  ): unknown {
    if (key !== undefined && isSecretKey(key) && isCredentialValue(value))
      return REDACTED;
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
      case 'symbol':
        return value.toString();
      case 'function':
        return undefined;
    }
    if (value === null) return null;
    const obj = value as object;
    if (state.ancestors.has(obj)) return '[Circular]';
    if (++state.nodes > this.limits.maxNodes) return '[Truncated]';
    try {
      const leaf = this.leaf(obj);
      if (leaf !== undefined) return leaf;
      if (depth >= this.limits.maxDepth)
        return Array.isArray(obj) ? '[Array]' : '[Object]';
      state.ancestors.add(obj);
      try {
        return this.branch(obj, depth, state);
      } finally {
        state.ancestors.delete(obj);
      }
    } catch {
      // A Proxy whose traps throw, a prototype getter that throws, …
      return '[Unreadable]';
    }
  }

  /** Objects written as one string (undefined: walk into it). */
  private leaf(obj: object): string | undefined {
    if (Buffer.isBuffer(obj)) return `[Buffer ${obj.length} bytes]`;
    if (ArrayBuffer.isView(obj))
      return `[${constructorName(obj)} ${obj.byteLength} bytes]`;
    if (obj instanceof ArrayBuffer)
      return `[ArrayBuffer ${obj.byteLength} bytes]`;
    if (obj instanceof Date)
      return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof URL) return this.text(obj.href);
    if (obj instanceof RegExp) return String(obj);
    // Sockets, requests, agents, streams, WebSockets: large, cyclic, never what a log line wants.
    if (obj instanceof EventEmitter) return `[${constructorName(obj)}]`;
    return undefined;
  }

  private branch(obj: object, depth: number, state: WalkState): unknown {
    if (Array.isArray(obj)) {
      const items = obj
        .slice(0, this.limits.maxItems)
        .map((item) => this.walk(item, undefined, depth + 1, state) ?? null);
      if (obj.length > this.limits.maxItems)
        items.push(`…${obj.length - this.limits.maxItems} more items`);
      return items;
    }
    // Only what the output keeps is read: a million-entry Map costs maxItems reads, not a million.
    if (obj instanceof Set) {
      const items = firstOf(obj.values(), this.limits.maxItems);
      const out = this.branch(items, depth, state) as unknown[];
      if (obj.size > items.length)
        out.push(`…${obj.size - items.length} more items`);
      return out;
    }
    if (obj instanceof Map)
      return this.entries(
        firstOf(obj.entries(), this.limits.maxKeys).map(
          ([k, v]): [string, unknown] => [String(k), v],
        ),
        depth,
        state,
        {},
        obj.size,
      );
    if (isError(obj)) return this.error(obj, depth, state);
    const keys = Object.keys(obj);
    return this.entries(
      keys
        .slice(0, this.limits.maxKeys)
        .map((k): [string, unknown] => [k, readSafely(obj, k)]),
      depth,
      state,
      {},
      keys.length,
    );
  }

  private entries(
    entries: Array<[string, unknown]>,
    depth: number,
    state: WalkState,
    out: Record<string, unknown> = {},
    /** How many entries the source had (when `entries` was already cut to maxKeys). */
    total = entries.length,
  ): Record<string, unknown> {
    for (const [key, value] of entries.slice(0, this.limits.maxKeys)) {
      const scrubbed = this.walk(value, key, depth + 1, state);
      if (scrubbed === undefined) continue;
      const safeKey = this.patterns
        ? key.replace(this.patterns.literal, REDACTED)
        : key;
      out[safeKey] = scrubbed;
    }
    if (total > this.limits.maxKeys)
      out['…'] = `${total - this.limits.maxKeys} more keys`;
    return out;
  }

  /**
   * `{type, message, stack, …own fields, cause?, aggregateErrors?}` (pino's error shape). The object
   * has no prototype and a hidden `name`, so that pino's own err serializer, if it runs on it again,
   * keeps `type`.
   */
  private error(err: object, depth: number, state: WalkState): unknown {
    const out = Object.create(null) as Record<string, unknown>;
    const name = readSafely(err, 'name');
    const ctor = constructorName(err);
    const type =
      (ctor === 'Error' || ctor === 'Object') &&
      typeof name === 'string' &&
      name
        ? this.text(name)
        : ctor;
    Object.defineProperty(out, 'name', { value: type, enumerable: false });
    out.type = type;
    const message = readSafely(err, 'message');
    out.message =
      typeof message === 'string'
        ? this.text(message)
        : this.walk(message, undefined, depth + 1, state);
    const stack = readSafely(err, 'stack');
    if (typeof stack === 'string') out.stack = this.text(stack);
    const own = Object.keys(err).filter((key) => !ERROR_OWN_KEYS.has(key));
    this.entries(
      own.map((k): [string, unknown] => [k, readSafely(err, k)]),
      depth,
      state,
      out,
    );
    const cause = readSafely(err, 'cause');
    if (cause !== undefined)
      out.cause = this.walk(cause, undefined, depth + 1, state);
    const errors = readSafely(err, 'errors');
    if (Array.isArray(errors))
      out.aggregateErrors = this.walk(errors, undefined, depth + 1, state);
    return out;
  }
}

let processScrubber = new SecretScrubber();

/**
 * Adds secret values to the process-wide scrubber (they are never forgotten) and returns it. Called
 * with `appConfig.secrets` at bootstrap and by the logger's options.
 */
export function useSecrets(secrets: readonly string[]): SecretScrubber {
  const known = new Set(processScrubber.secrets);
  if (secrets.every((secret) => known.has(secret))) return processScrubber;
  processScrubber = new SecretScrubber([...known, ...secrets]);
  return processScrubber;
}

/** The process-wide scrubber (every secret passed to useSecrets so far). */
export function secretScrubber(): SecretScrubber {
  return processScrubber;
}

/** `text` without credentials, by the process-wide scrubber (for /health details, messages). */
export function scrubText(text: string): string {
  return processScrubber.text(text);
}

/** A JSON-safe copy of `value` without credentials, by the process-wide scrubber. */
export function scrubValue(value: unknown): unknown {
  return processScrubber.value(value);
}
