import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/** When a run last showed signs of life, so that runs of a process that died can be told apart. */
export class RunHeartbeat1732600000000 implements MigrationInterface {
  name = 'RunHeartbeat1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query(`ALTER TABLE migration_runs ADD COLUMN heartbeat_at ${schema.datetime} NULL`);
    await queryRunner.query('CREATE INDEX idx_migration_runs_status ON migration_runs (status)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query(schema.dropIndex('idx_migration_runs_status', 'migration_runs'));
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN heartbeat_at');
  }
}
