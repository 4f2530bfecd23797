/**
 * `npm run bench:store` — how fast each call store takes transcript lines.
 *
 * - Live calls: CALLS concurrent calls; each tick every call appends 1–3 lines (one write per call in
 *   flight, as CallsService's transcript queue does), TICKS ticks. Entries/s over the whole run, and the
 *   latency of one append as its caller sees it.
 * - Bulk: one call, BULK_ENTRIES lines in batches of BULK_BATCH (a backlog being flushed).
 *
 * Stores: in-memory; SQLite (a file in a temp dir, WAL, synchronous=NORMAL); PostgreSQL at
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, in a throwaway schema) when it
 * answers. SQL stores are measured as createCallStore returns them (behind ResilientCallStore) and
 * bare (SqlCallStore), to show what the write queue costs. Options: --calls 100 --ticks 200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ManagedBackend } from '../libs/call-manager/src/backend.types';
import type {
  CallRecord,
  TranscriptEntry,
} from '../libs/call-manager/src/call.types';
import type { CallStore } from '../libs/call-manager/src/store/call-store.interface';
import { createCallStore } from '../libs/call-manager/src/store/create-call-store';
import { ResilientCallStore } from '../libs/call-manager/src/store/resilient-call-store';
import { SqlCallStore } from '../libs/call-manager/src/store/sql-call-store.driver';

type Store = CallStore & ManagedBackend;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const CALLS = arg('calls', 100);
const TICKS = arg('ticks', 200);
const WARMUP_TICKS = 10;
const BULK_ENTRIES = arg('bulk', 50_000);
const BULK_BATCH = 500;
const PG_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const SENTENCES = [
  'Hi, I would like to check on the status of my order please.',
  'Of course. Could you tell me the order number?',
  'It is four seven two, nine nine one.',
  'Thanks. I can see it shipped yesterday and should arrive on Thursday.',
  'Great, and can I change the delivery address?',
  'Let me look into that for you.',
];

/** A small seeded PRNG (mulberry32), so every store gets the same workload. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let callCounter = 0;
function newCall(): CallRecord {
  const n = ++callCounter;
  return {
    callSid: `CA${n.toString(16).padStart(32, '0')}`,
    from: '+15550000001',
    to: '+15550000002',
    status: 'in-progress',
    startedAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
    transcript: [],
  };
}

function lines(random: () => number, count: number): TranscriptEntry[] {
  const at = new Date().toISOString();
  return Array.from({ length: count }, () => ({
    role: random() < 0.5 ? 'caller' : 'agent',
    text: SENTENCES[Math.floor(random() * SENTENCES.length)],
    at,
  }));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function settle(store: Store): Promise<void> {
  if (store instanceof ResilientCallStore) await store.flush();
}

async function ticks(
  store: Store,
  calls: CallRecord[],
  count: number,
  random: () => number,
  latencies?: number[],
): Promise<number> {
  let entries = 0;
  for (let tick = 0; tick < count; tick++) {
    await Promise.all(
      calls.map(async (call) => {
        const batch = lines(random, 1 + Math.floor(random() * 3));
        entries += batch.length;
        const started = performance.now();
        await store.appendTranscript(call.callSid, batch);
        latencies?.push(performance.now() - started);
      }),
    );
  }
  return entries;
}

interface Result {
  liveRate: number;
  p50: number;
  p99: number;
  bulkRate: number;
}

interface Workload {
  calls: number;
  ticks: number;
  bulkEntries: number;
}

const WORKLOAD: Workload = {
  calls: CALLS,
  ticks: TICKS,
  bulkEntries: BULK_ENTRIES,
};

async function measure(store: Store, work = WORKLOAD): Promise<Result> {
  const { ticks: tickCount, bulkEntries } = work;
  const random = prng(42);
  const calls = Array.from({ length: work.calls }, newCall);
  for (const call of calls) await store.create(call);
  await ticks(store, calls, WARMUP_TICKS, random);
  await settle(store);

  const latencies: number[] = [];
  let started = performance.now();
  const entries = await ticks(store, calls, tickCount, random, latencies);
  await settle(store);
  const liveSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);

  const bulkCall = newCall();
  await store.create(bulkCall);
  started = performance.now();
  for (let done = 0; done < bulkEntries; done += BULK_BATCH) {
    await store.appendTranscript(
      bulkCall.callSid,
      lines(random, Math.min(BULK_BATCH, bulkEntries - done)),
    );
  }
  await settle(store);
  const bulkSeconds = (performance.now() - started) / 1000;

  // Everything written must be there.
  const check = await store.get(calls[0].callSid);
  const bulk = await store.get(bulkCall.callSid);
  if (!check || check.transcript.length === 0) {
    throw new Error('transcript missing after the run');
  }
  if (bulk?.transcript.length !== bulkEntries) {
    throw new Error(
      `bulk transcript has ${bulk?.transcript.length} lines, not ${bulkEntries}`,
    );
  }
  return {
    liveRate: entries / liveSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    bulkRate: bulkEntries / bulkSeconds,
  };
}

async function postgresReachable(): Promise<boolean> {
  const client = new Client({
    connectionString: PG_URL,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withSchema<T>(run: (schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
    return await run(schema);
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

function searchPathUrl(schema: string): string {
  const glue = PG_URL.includes('?') ? '&' : '?';
  return `${PG_URL}${glue}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function openBare(
  options: ConstructorParameters<typeof SqlCallStore>[0],
): Promise<Store> {
  const store = new SqlCallStore(options);
  await store.migrate();
  return store;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
  const rows: (string | number)[][] = [];
  const run = async (name: string, open: () => Promise<Store>) => {
    const store = await open();
    try {
      const r = await measure(store);
      rows.push([
        name,
        Math.round(r.liveRate).toLocaleString('en-US'),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        Math.round(r.bulkRate).toLocaleString('en-US'),
      ]);
    } finally {
      await store.close();
    }
  };

  try {
    // Warm the JIT on every code path first, so the order of the rows does not skew them.
    const small: Workload = { calls: 20, ticks: 50, bulkEntries: 5000 };
    for (const open of [
      () => createCallStore('sqlite::memory:'),
      () => openBare({ dialect: 'sqlite', filename: ':memory:' }),
    ]) {
      const store = await open();
      await measure(store, small);
      await store.close();
    }

    await run('memory', () => createCallStore(undefined));
    await run('SQLite (createCallStore)', () =>
      createCallStore(`sqlite:${join(dir, 'resilient.db')}`),
    );
    await run('SQLite (bare SqlCallStore)', () =>
      openBare({ dialect: 'sqlite', filename: join(dir, 'bare.db') }),
    );
    if (await postgresReachable()) {
      await withSchema((schema) =>
        run('PostgreSQL (createCallStore)', () =>
          createCallStore(searchPathUrl(schema)),
        ),
      );
      await withSchema((schema) =>
        run('PostgreSQL (bare SqlCallStore)', () =>
          openBare({
            dialect: 'postgres',
            connectionString: PG_URL,
            schema,
          }),
        ),
      );
    } else {
      rows.push(['PostgreSQL', 'unreachable: skipped', '', '', '']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\nTranscript writes: ${CALLS} calls × 1–3 lines per tick × ${TICKS} ticks; bulk ${BULK_ENTRIES.toLocaleString('en-US')} lines in batches of ${BULK_BATCH}\n`,
  );
  const head = [
    'Store',
    'Live calls (entries/s)',
    'Append p50 (ms)',
    'Append p99 (ms)',
    'Bulk (entries/s)',
  ];
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
  console.log(
    `\nNode ${process.version}, ${process.platform}/${process.arch}. Latency is what the caller waits; behind ResilientCallStore a write slower than 500 ms answers early and finishes in the background (the rate includes that flush).`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
