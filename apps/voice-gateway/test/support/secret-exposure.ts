import type { CapturedService } from './captured-service';

export type LogRecord = Record<string, unknown>;

/** `record` at a dotted path (`err.config.headers.Authorization`), or undefined. */
export function field(record: unknown, path: string): unknown {
  let value = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The JSON log lines in `output` (the bootstrap logger's plain lines are skipped). */
export function logRecords(output: string): LogRecord[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return [];
    }
  });
}

/** Resolves with the first log line `matches` accepts; rejects after `timeoutMs`. */
export async function waitForLog(
  service: CapturedService,
  matches: (record: LogRecord) => boolean,
  timeoutMs = 15_000,
): Promise<LogRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = logRecords(service.output()).find(matches);
    if (found) return found;
    if (Date.now() > until)
      throw new Error(`No such log line in:\n${service.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Everything the service sent out in one test, by where it was seen. */
export class Exposure {
  private readonly seen: Array<{ where: string; text: string }> = [];

  /** `secrets`: name → value of every credential that must not appear. */
  constructor(private readonly secrets: Record<string, string>) {}

  add(where: string, text: string): void {
    this.seen.push({ where, text });
  }

  /** What the service wrote to stdout and stderr (recorded as `logs`). */
  logs(): string {
    return this.seen
      .filter(({ where }) => where === 'logs')
      .map(({ text }) => text)
      .join('\n');
  }

  /** fetch() against the service; the response body is recorded. */
  async fetch(service: CapturedService, path: string, init: RequestInit = {}) {
    const res = await fetch(`${service.url}${path}`, init);
    const body = await res.text();
    this.add(`${init.method ?? 'GET'} ${path} → ${res.status}`, body);
    return { status: res.status, body };
  }

  expectNoSecrets(): void {
    const leaks: string[] = [];
    for (const { where, text } of this.seen) {
      for (const [name, secret] of Object.entries(this.secrets)) {
        const at = text.indexOf(secret);
        if (at >= 0)
          leaks.push(
            `${name} in ${where}: …${text.slice(Math.max(0, at - 150), at + secret.length + 50)}…`,
          );
      }
    }
    expect(leaks).toEqual([]);
  }
}
