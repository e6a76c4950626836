import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/**
 * The counts of each batch of a run, one row per batch, written in the batch's own transaction.
 * Parallel batches then never wait on each other for their run's row, and a batch that was
 * committed can be told by its key. A run's counters are the sum of its batches while it runs,
 * and are written onto the run when it ends.
 */
export class RunBatches1732800000000 implements MigrationInterface {
  name = 'RunBatches1732800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    await queryRunner.query(
      `CREATE TABLE migration_run_batches (
        run_id INT NOT NULL,
        batch_no INT NOT NULL,
        rows_read INT NOT NULL,
        rows_inserted INT NOT NULL,
        rows_rejected INT NOT NULL,
        committed ${schema.boolean} NOT NULL,
        bytes_read BIGINT NULL,
        PRIMARY KEY (run_id, batch_no),
        CONSTRAINT fk_migration_run_batches_run FOREIGN KEY (run_id) REFERENCES migration_runs (id) ON DELETE CASCADE
      )${schema.tableOptions}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE migration_run_batches');
  }
}
