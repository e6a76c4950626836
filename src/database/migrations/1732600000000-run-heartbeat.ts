import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a run last showed signs of life, so that runs of a process that died can be told apart. */
export class RunHeartbeat1732600000000 implements MigrationInterface {
  name = 'RunHeartbeat1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    await queryRunner.query(
      `ALTER TABLE migration_runs ADD COLUMN heartbeat_at ${mysql ? 'DATETIME(3)' : 'DATETIME'} NULL`,
    );
    await queryRunner.query('CREATE INDEX idx_migration_runs_status ON migration_runs (status)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    await queryRunner.query(`DROP INDEX idx_migration_runs_status${mysql ? ' ON migration_runs' : ''}`);
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN heartbeat_at');
  }
}
