import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The counts of each batch of a run, one row per batch, written in the batch's own transaction.
 * Parallel batches then never wait on each other for their run's row, and a batch that was
 * committed can be told by its key. A run's counters are the sum of its batches while it runs,
 * and are written onto the run when it ends.
 */
export class RunBatches1732800000000 implements MigrationInterface {
  name = 'RunBatches1732800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    await queryRunner.query(
      `CREATE TABLE migration_run_batches (
        run_id INT NOT NULL,
        batch_no INT NOT NULL,
        rows_read INT NOT NULL,
        rows_inserted INT NOT NULL,
        rows_rejected INT NOT NULL,
        committed ${mysql ? 'TINYINT(1)' : 'BOOLEAN'} NOT NULL,
        bytes_read BIGINT NULL,
        PRIMARY KEY (run_id, batch_no),
        CONSTRAINT fk_migration_run_batches_run FOREIGN KEY (run_id) REFERENCES migration_runs (id) ON DELETE CASCADE
      )${mysql ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : ''}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE migration_run_batches');
  }
}
