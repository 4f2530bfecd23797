import { resolve } from 'node:path';
import { callStoreContract } from './call-store.contract';
import { createCallStore, parseDatabaseUrl } from './create-call-store';
import { ManagedInMemoryCallStore } from './managed-in-memory-call-store.driver';
import { ResilientCallStore } from './resilient-call-store';

callStoreContract('createCallStore(undefined)', () =>
  createCallStore(undefined),
);

describe('createCallStore', () => {
  it('without a URL: the in-memory store, always healthy', async () => {
    const store = await createCallStore(undefined);
    expect(store).toBeInstanceOf(ManagedInMemoryCallStore);
    await expect(store.health()).resolves.toMatchObject({
      backend: 'memory',
      ok: true,
      pendingWrites: 0,
    });
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('sqlite::memory: a migrated SQLite store behind the write queue', async () => {
    const log = { warn: jest.fn(), log: jest.fn() };
    const store = await createCallStore('sqlite::memory:', { logger: log });
    expect(store).toBeInstanceOf(ResilientCallStore);
    expect(log.log).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'Call store migrated',
        backend: 'sqlite',
        migrations: [
          '0001-initial',
          '0002-transcript-lines-lost',
          '0003-call-direction',
          '0004-call-usage',
          '0005-call-transfers',
          '0006-turn-latencies',
        ],
      }),
    );
    await expect(store.health()).resolves.toMatchObject({
      backend: 'sqlite',
      ok: true,
      pendingWrites: 0,
    });
    await store.close();
  });

  it('rejects when PostgreSQL cannot be reached at start (migrations cannot run)', async () => {
    await expect(
      createCallStore('postgres://postgres@127.0.0.1:1/test'),
    ).rejects.toThrow(
      /^Call store migration failed \(postgres, 127\.0\.0\.1:1\/test\): connect ECONNREFUSED/,
    );
  });

  it.each([
    ['', /Unsupported database URL \(empty\)/],
    ['data/calls.db', /Unsupported database URL \(no scheme\)/],
    [
      'mysql://root:hunter2@db/calls',
      /Unsupported database URL \(scheme "mysql:"\)/,
    ],
    ['sqlite:', /Invalid SQLite database URL: no file path/],
    [
      'postgres://u:hunter2@db:notaport/calls',
      /Invalid PostgreSQL database URL/,
    ],
  ])('rejects %j with a clear message', async (url, message) => {
    const failure = createCallStore(url);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(/sqlite:<path>|percent-encode/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:data/calls.db', resolve(process.cwd(), 'data/calls.db')],
    ['sqlite:/var/lib/calls.db', '/var/lib/calls.db'],
    ['sqlite:///var/lib/calls.db', '/var/lib/calls.db'],
    ['SQLITE:data/calls.db', resolve(process.cwd(), 'data/calls.db')],
    ['sqlite::memory:', ':memory:'],
  ])('%s → SQLite file %s', (url, filename) => {
    expect(parseDatabaseUrl(url)).toEqual({ dialect: 'sqlite', filename });
  });

  it.each([
    'postgres://user:pass@db.example.com:5432/calls',
    'postgresql://user@localhost/calls?sslmode=require',
  ])('%s → PostgreSQL', (url) => {
    expect(parseDatabaseUrl(url)).toEqual({
      dialect: 'postgres',
      connectionString: url,
    });
  });
});
