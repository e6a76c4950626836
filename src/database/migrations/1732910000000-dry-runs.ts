import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/** Whether a run was a dry run: every rule applied and recorded, no row written. */
export class DryRuns1732910000000 implements MigrationInterface {
  name = 'DryRuns1732910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query(
      `ALTER TABLE migration_runs ADD COLUMN dry_run ${schema.boolean} NOT NULL DEFAULT ${schema.false}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN dry_run');
  }
}
