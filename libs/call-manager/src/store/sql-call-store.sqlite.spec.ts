import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { callStoreContract } from './call-store.contract';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './call-store.schema';
import { createCallStore } from './create-call-store';
import { initialMigration } from './migrations/0001-initial.migration';
import { SqlCallStore } from './sql-call-store.driver';
import { createSqlDialect } from './sql-dialect.factory';
import {
  close,
  expectSurvivesRestart,
  line,
  record,
  sid,
} from './sql-call-store.test-helper';

const dir = mkdtempSync(join(tmpdir(), 'call-store-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A fresh database file for each test. */
const freshFile = () => join(dir, `calls-${++files}.db`);

async function openSqlite(filename: string): Promise<SqlCallStore> {
  const store = new SqlCallStore({ dialect: 'sqlite', filename });
  await store.migrate();
  return store;
}

callStoreContract(
  'SqlCallStore (SQLite file)',
  () => openSqlite(freshFile()),
  close,
);
callStoreContract(
  'createCallStore(sqlite:<file>) (resilient SQLite)',
  () => createCallStore(`sqlite:${freshFile()}`),
  close,
);
callStoreContract(
  'createCallStore(sqlite::memory:)',
  () => createCallStore('sqlite::memory:'),
  close,
);

describe('SqlCallStore on SQLite', () => {
  it('keeps calls and transcripts across a restart, and seq goes on', async () => {
    const url = `sqlite:${freshFile()}`;
    await expectSurvivesRestart(
      () => createCallStore(url),
      () => openSqlite(url.slice('sqlite:'.length)),
    );
  });

  it('runs migrations once, records them, and runs none on the next start', async () => {
    const filename = freshFile();
    const store = new SqlCallStore({ dialect: 'sqlite', filename });
    await expect(store.migrate()).resolves.toEqual([
      '0001-initial',
      '0002-transcript-lines-lost',
      '0003-call-direction',
      '0004-call-usage',
      '0005-call-transfers',
      '0006-turn-latencies',
    ]);
    await expect(store.migrate()).resolves.toEqual([]);
    await store.close();

    const again = new SqlCallStore({ dialect: 'sqlite', filename });
    await expect(again.migrate()).resolves.toEqual([]);
    await again.close();

    const db = new Database(filename, { readonly: true });
    try {
      expect(db.prepare(`select name from ${MIGRATION_TABLE}`).all()).toEqual([
        { name: '0001-initial' },
        { name: '0002-transcript-lines-lost' },
        { name: '0003-call-direction' },
        { name: '0004-call-usage' },
        { name: '0005-call-transfers' },
        { name: '0006-turn-latencies' },
      ]);
      const indexes = db
        .prepare(
          `select name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name`,
        )
        .pluck()
        .all();
      expect(indexes).toEqual([
        'calls_started_at_idx',
        'transcript_entries_call_sid_seq_idx',
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('creates the database file and its directory on first start', async () => {
    const filename = join(dir, 'nested', 'deeper', 'calls.db');
    const store = await createCallStore(`sqlite:${filename}`);
    expect(existsSync(filename)).toBe(true);
    await expect(store.health()).resolves.toMatchObject({
      backend: 'sqlite',
      ok: true,
      pendingWrites: 0,
    });
    await store.close();
  });

  it('writes a large batch in order (several INSERT chunks, one transaction)', async () => {
    const store = await openSqlite(freshFile());
    await store.create(record(1, { transcript: [line('first', 0)] }));
    const batch = Array.from({ length: 1234 }, (_, i) =>
      line(`line ${i}`, i % 60),
    );
    await expect(store.appendTranscript(sid(1), batch)).resolves.toBe(true);
    await store.appendTranscript(sid(1), [line('last', 59)]);
    const got = await store.get(sid(1));
    expect(got?.transcript).toEqual([
      line('first', 0),
      ...batch,
      line('last', 59),
    ]);
    await store.close();
  });

  it('keeps each batch whole when appends for one call overlap', async () => {
    const store = await openSqlite(freshFile());
    await store.create(record(1));
    const batches = Array.from({ length: 20 }, (_, b) => [
      line(`${b}.a`, b),
      line(`${b}.b`, b),
      line(`${b}.c`, b),
    ]);
    await Promise.all(
      batches.map((batch) => store.appendTranscript(sid(1), batch)),
    );
    const texts = (await store.get(sid(1)))!.transcript.map((e) => e.text);
    expect(texts).toHaveLength(60);
    for (let i = 0; i < 60; i += 3) {
      const b = texts[i].split('.')[0];
      expect(texts.slice(i, i + 3)).toEqual([`${b}.a`, `${b}.b`, `${b}.c`]);
    }
    await store.close();
  });

  it('upgrades a database made before 0002: old rows count 0 lost lines and are inbound', async () => {
    const filename = freshFile();
    const db = new Kysely<any>({
      dialect: createSqlDialect({ dialect: 'sqlite', filename }),
    });
    const migrator = new Migrator({
      db,
      provider: {
        getMigrations: () =>
          Promise.resolve({ '0001-initial': initialMigration('sqlite') }),
      },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    await migrator.migrateToLatest();
    await db
      .insertInto('calls')
      .values({
        call_sid: sid(1),
        from_number: record(1).from,
        to_number: record(1).to,
        status: 'ringing',
        started_at: record(1).startedAt,
      })
      .execute();
    await db.destroy();

    const store = new SqlCallStore({ dialect: 'sqlite', filename });
    await expect(store.migrate()).resolves.toEqual([
      '0002-transcript-lines-lost',
      '0003-call-direction',
      '0004-call-usage',
      '0005-call-transfers',
      '0006-turn-latencies',
    ]);
    // Every call before 0003 came in: its row says so.
    const old = { ...record(1), direction: 'inbound' };
    await expect(store.get(sid(1))).resolves.toEqual(old);
    await store.recordTranscriptLoss(sid(1), 4);
    await expect(store.get(sid(1))).resolves.toEqual({
      ...old,
      transcriptLinesLost: 4,
    });
    await store.close();
  });

  it('pages with the (started_at, call_sid) index', async () => {
    const filename = freshFile();
    const store = await openSqlite(filename);
    await store.close();
    const db = new Database(filename, { readonly: true });
    try {
      const plan = db
        .prepare(
          `explain query plan select * from calls where (started_at, call_sid) < (?, ?) order by started_at desc, call_sid desc limit 7`,
        )
        .all('2025-01-01T00:00:00.000Z', sid(1)) as { detail: string }[];
      const details = plan.map((row) => row.detail).join('; ');
      expect(details).toContain('calls_started_at_idx');
      expect(details).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
    }
  });

  it('accepts a before cursor in any ISO form', async () => {
    const store = await openSqlite(freshFile());
    for (let n = 1; n <= 3; n++) await store.create(record(n));
    const sids = async (before: string) =>
      (await store.list({ before })).map((r) => r.callSid);
    await expect(sids('2025-01-01T00:00:03Z')).resolves.toEqual([
      sid(2),
      sid(1),
    ]);
    await expect(sids('2025-01-01T01:00:03+01:00')).resolves.toEqual([
      sid(2),
      sid(1),
    ]);
    await expect(sids('not a date')).resolves.toEqual([sid(3), sid(2), sid(1)]);
    await store.close();
  });

  it('reports itself unhealthy once closed', async () => {
    const store = await openSqlite(freshFile());
    await expect(store.health()).resolves.toMatchObject({ ok: true });
    await store.close();
    await store.close();
    await expect(store.health()).resolves.toMatchObject({
      backend: 'sqlite',
      ok: false,
    });
  });
});
