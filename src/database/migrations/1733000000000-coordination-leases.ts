import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/**
 * The leases replicas sharing the database hold (a run they load, a restore, the backup leader):
 * rows every engine replicates, changed only by compare-and-set on `token`, which grows by one at
 * every change of owner. `expires_at_ms` is on the database's clock; `changes` counts every write
 * of the row, so that a write always changes it (a transaction fenced by a lease writes its row).
 */
export class CoordinationLeases1733000000000 implements MigrationInterface {
  name = 'CoordinationLeases1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query(
      `CREATE TABLE coordination_leases (
        name VARCHAR(100) NOT NULL,
        owner VARCHAR(64) NOT NULL,
        token BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        changes BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (name)
      )${schema.tableOptions}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE coordination_leases');
  }
}
