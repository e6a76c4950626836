import { MigrationInterface, QueryRunner } from 'typeorm';

/** How far a run has read its file, and the file's size when known, for live progress. */
export class RunProgress1732700000000 implements MigrationInterface {
  name = 'RunProgress1732700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE migration_runs ADD COLUMN bytes_read BIGINT NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE migration_runs ADD COLUMN bytes_total BIGINT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN bytes_total');
    await queryRunner.query('ALTER TABLE migration_runs DROP COLUMN bytes_read');
  }
}
