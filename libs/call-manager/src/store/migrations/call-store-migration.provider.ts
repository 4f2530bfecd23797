import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialectName } from '../call-store.schema';
import { initialMigration } from './0001-initial.migration';
import { transcriptLinesLostMigration } from './0002-transcript-lines-lost.migration';
import { callDirectionMigration } from './0003-call-direction.migration';
import { callUsageMigration } from './0004-call-usage.migration';
import { callTransfersMigration } from './0005-call-transfers.migration';
import { turnLatenciesMigration } from './0006-turn-latencies.migration';

/**
 * The call store's migrations, in code (no directory scanning, so they survive bundling).
 * Names sort in the order they run: add `0002-…` below, never rename or edit a shipped one.
 */
export class CallStoreMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({
      '0001-initial': initialMigration(this.dialect),
      '0002-transcript-lines-lost': transcriptLinesLostMigration(),
      '0003-call-direction': callDirectionMigration(),
      '0004-call-usage': callUsageMigration(),
      '0005-call-transfers': callTransfersMigration(),
      '0006-turn-latencies': turnLatenciesMigration(),
    });
  }
}
