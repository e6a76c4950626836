import { MigrationInterface, QueryRunner } from 'typeorm';

/** Whether a run was a dry run: every rule applied and recorded, no row written. */
export class DryRuns1732910000000 implements MigrationInterface {
  name = 'DryRuns1732910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    await queryRunner.query(
      `ALTER TABLE migration_runs ADD COLUMN dry_run ${mysql ? 'TINYINT(1)' : 'BOOLEAN'} NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN dry_run');
  }
}
