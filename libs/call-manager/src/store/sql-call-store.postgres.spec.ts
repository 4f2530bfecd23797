import { Kysely, sql } from 'kysely';
import { callStoreContract } from './call-store.contract';
import { MIGRATION_TABLE } from './call-store.schema';
import { createCallStore } from './create-call-store';
import {
  SqlCallStore,
  type PostgresCallStoreOptions,
} from './sql-call-store.driver';
import { createSqlDialect } from './sql-dialect.factory';
import {
  close,
  expectSurvivesRestart,
  line,
  record,
  sid,
} from './sql-call-store.test-helper';
import {
  describePostgres,
  POSTGRES_TEST_URL,
  PostgresTestSchema,
} from './test-databases.fixture';
import { isTransientStoreError } from './transient-store-error.util';

describePostgres('SqlCallStore on PostgreSQL', () => {
  // One schema per suite, emptied before each contract test.
  const schema = new PostgresTestSchema();
  beforeAll(() => schema.create());
  afterAll(() => schema.drop());

  callStoreContract(
    'SqlCallStore (PostgreSQL, schema option)',
    async () => {
      const store = new SqlCallStore({
        dialect: 'postgres',
        connectionString: POSTGRES_TEST_URL,
        schema: schema.name,
      });
      await store.migrate();
      await schema.truncate();
      return store;
    },
    close,
  );

  callStoreContract(
    'createCallStore(postgres://…) (resilient PostgreSQL, search_path in the URL)',
    async () => {
      const store = await createCallStore(schema.url);
      await schema.truncate();
      return store;
    },
    close,
  );

  it('keeps calls and transcripts across a restart, and seq goes on', async () => {
    await schema.truncate();
    await expectSurvivesRestart(() => createCallStore(schema.url));
  });

  it('keeps each batch whole when appends for one call overlap (row lock)', async () => {
    await schema.truncate();
    const store = await createCallStore(schema.url);
    await store.create(record(1));
    const batches = Array.from({ length: 30 }, (_, b) => [
      line(`${b}.a`, b),
      line(`${b}.b`, b),
    ]);
    await expect(
      Promise.all(
        batches.map((batch) => store.appendTranscript(sid(1), batch)),
      ),
    ).resolves.toEqual(batches.map(() => true));
    const texts = (await store.get(sid(1)))!.transcript.map((e) => e.text);
    expect(texts).toHaveLength(60);
    for (let i = 0; i < 60; i += 2) {
      const b = texts[i].split('.')[0];
      expect(texts.slice(i, i + 2)).toEqual([`${b}.a`, `${b}.b`]);
    }
    const seqs = await schema.query<{ seq: number }>(
      `select seq from transcript_entries where call_sid = '${sid(1)}' order by seq`,
    );
    expect(seqs.map((row) => row.seq)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
    await store.close();
  });

  it('sends statement and idle-in-transaction timeouts to the server (defaults 10 s, 60 s)', async () => {
    const settings = async (options: Partial<PostgresCallStoreOptions>) => {
      const db = new Kysely<unknown>({
        dialect: createSqlDialect({
          dialect: 'postgres',
          connectionString: POSTGRES_TEST_URL,
          ...options,
        }),
      });
      try {
        const { rows } = await sql<{
          statement: string;
          idle: string;
        }>`select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle`.execute(
          db,
        );
        const slow = sql`select pg_sleep(1)`.execute(db).then(
          () => undefined,
          (err: unknown) => err,
        );
        return { ...rows[0], slow: await slow };
      } finally {
        await db.destroy();
      }
    };
    await expect(settings({})).resolves.toMatchObject({
      statement: '10s',
      idle: '1min',
    });
    // The server cancels a statement over the limit: a transient error, retried by the queue.
    const short = await settings({
      statementTimeoutMs: 200,
      idleInTransactionTimeoutMs: 0,
    });
    expect(short).toMatchObject({ statement: '200ms', idle: '0' });
    expect(short.slow).toMatchObject({ code: '57014' });
    expect(isTransientStoreError(short.slow)).toBe(true);
  });

  describe('migrations', () => {
    const fresh = new PostgresTestSchema();
    beforeAll(() => fresh.create());
    afterAll(() => fresh.drop());

    it('run once, are recorded in the schema, and run none on the next start', async () => {
      const options = {
        dialect: 'postgres',
        connectionString: POSTGRES_TEST_URL,
        schema: fresh.name,
      } as const;
      // Another schema (the suite's) already has these tables: they must not confuse the migrator.
      const store = new SqlCallStore(options);
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

      const again = new SqlCallStore(options);
      await expect(again.migrate()).resolves.toEqual([]);
      await expect(again.health()).resolves.toMatchObject({
        backend: 'postgres',
        ok: true,
      });
      await again.close();

      await expect(
        fresh.query(`select name from ${MIGRATION_TABLE} order by name`),
      ).resolves.toEqual([
        { name: '0001-initial' },
        { name: '0002-transcript-lines-lost' },
        { name: '0003-call-direction' },
        { name: '0004-call-usage' },
        { name: '0005-call-transfers' },
        { name: '0006-turn-latencies' },
      ]);
      const indexes = await fresh.query<{ indexname: string }>(
        `select indexname from pg_indexes where schemaname = '${fresh.name}' order by indexname`,
      );
      expect(indexes.map((row) => row.indexname)).toEqual(
        expect.arrayContaining([
          'calls_started_at_idx',
          'transcript_entries_call_sid_seq_idx',
        ]),
      );
    });
  });
});
