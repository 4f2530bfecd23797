import type {
  PostgresCursor,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryResult,
} from 'kysely';
import type { Pool, PoolClient, Submittable } from 'pg';

/** The message pg rejects a query with when `query_timeout` passes without an answer. */
const PG_READ_TIMEOUT = 'Query read timeout';

/**
 * The pg Pool as Kysely sees it, minus one trap: when a query gets no answer within pg's
 * `query_timeout` (the database stopped answering: a blackhole, not a refused port), pg rejects
 * it but keeps the client, with the unanswered query still occupying it, so the pool would hand
 * it out again and every later query on it would wait out the timeout too. Here such a client
 * rejects further queries at once and is destroyed when released; the pool opens a fresh one.
 *
 * The timed-out query rejects with an Error whose `code` is 'ETIMEDOUT' (a transient store error:
 * the write is retried) and whose `cause` is pg's error.
 */
export class TimeoutGuardedPool implements PostgresPool {
  /** One wrapper per pg client, so Kysely's per-connection setup runs once per connection. */
  private readonly wrappers = new WeakMap<PoolClient, GuardedClient>();

  /** `queryTimeoutMs`: the pool's `query_timeout` in ms, for the error message only. */
  constructor(
    readonly pool: Pool,
    private readonly queryTimeoutMs: number,
  ) {}

  /** Rejects as pg's Pool.connect does (e.g. 'timeout exceeded when trying to connect'). */
  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let wrapper = this.wrappers.get(client);
    if (!wrapper) {
      wrapper = new GuardedClient(client, this.queryTimeoutMs);
      this.wrappers.set(client, wrapper);
    }
    return wrapper;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

class GuardedClient implements PostgresPoolClient {
  /** Set once a query on this connection went unanswered: the connection is unusable. */
  private abandoned?: Error;

  constructor(
    private readonly client: PoolClient,
    private readonly queryTimeoutMs: number,
  ) {}

  query<R>(
    sql: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      // pg-cursor is a pg Submittable; query() hands it back.
      return this.client.query(
        sqlOrCursor as unknown as Submittable,
      ) as unknown as PostgresCursor<R>;
    }
    if (this.abandoned) return Promise.reject(this.abandoned);
    const result = this.client.query(sqlOrCursor, parameters as unknown[]);
    return (result as unknown as Promise<PostgresQueryResult<R>>).catch(
      (err: unknown) => {
        if (!(err instanceof Error) || err.message !== PG_READ_TIMEOUT) {
          throw err;
        }
        this.abandoned = Object.assign(
          new Error(
            `PostgreSQL did not answer within ${this.queryTimeoutMs} ms (query_timeout); connection discarded`,
            { cause: err },
          ),
          { code: 'ETIMEDOUT' },
        );
        throw this.abandoned;
      },
    );
  }

  /** Back to the pool, or destroyed (`destroy`, or a query went unanswered). */
  release(destroy?: boolean): void {
    this.client.release(this.abandoned ?? destroy);
  }
}
