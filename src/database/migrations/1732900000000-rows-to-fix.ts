import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/**
 * What a run needs to give back the rows to fix as they were sent: the file's header line and
 * delimiter, and each rejected row's raw text.
 */
export class RowsToFix1732900000000 implements MigrationInterface {
  name = 'RowsToFix1732900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query('ALTER TABLE migration_runs ADD COLUMN header_text TEXT NULL');
    await queryRunner.query('ALTER TABLE migration_runs ADD COLUMN delimiter VARCHAR(1) NULL');
    await queryRunner.query(`ALTER TABLE rejected_batches ADD COLUMN raw_text ${schema.longText} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE rejected_batches DROP COLUMN raw_text');
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN delimiter');
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN header_text');
  }
}
