import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

/**
 * The HR tables and the migration run log. Written as SQL per engine so that the schema is
 * reviewable and identical to what a DBA would create by hand: utf8mb4 and InnoDB on MySQL. The
 * types and clauses that differ come from the engine's dialect (SchemaTypes).
 */
export class InitialSchema1732500000000 implements MigrationInterface {
  name = 'InitialSchema1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = createDialect(queryRunner.connection).schema;
    const tail = schema.tableOptions;
    const { datetime, autoId, boolean: bool, foreignKeyTiming: timing } = schema;

    await queryRunner.query(
      `CREATE TABLE departments (id INT NOT NULL PRIMARY KEY, department VARCHAR(255) NOT NULL)${tail}`,
    );
    await queryRunner.query(`CREATE TABLE jobs (id INT NOT NULL PRIMARY KEY, job VARCHAR(255) NOT NULL)${tail}`);
    await queryRunner.query(
      `CREATE TABLE hired_employees (
        id INT NOT NULL PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        datetime ${datetime} NOT NULL,
        department_id INT NOT NULL,
        job_id INT NOT NULL,
        CONSTRAINT fk_hired_employees_department FOREIGN KEY (department_id) REFERENCES departments (id)${timing},
        CONSTRAINT fk_hired_employees_job FOREIGN KEY (job_id) REFERENCES jobs (id)${timing}
      )${tail}`,
    );
    // The reports filter on a range of datetime and group by department and job.
    await queryRunner.query(
      'CREATE INDEX idx_hired_employees_datetime ON hired_employees (datetime, department_id, job_id)',
    );
    if (schema.indexForeignKeys) {
      // MySQL indexes foreign keys by itself; the others need them for the FK checks on delete.
      await queryRunner.query('CREATE INDEX idx_hired_employees_department ON hired_employees (department_id)');
      await queryRunner.query('CREATE INDEX idx_hired_employees_job ON hired_employees (job_id)');
    }
    await queryRunner.query(
      `CREATE TABLE migration_runs (
        id ${autoId},
        table_name VARCHAR(32) NOT NULL,
        file_name VARCHAR(255) NULL,
        status VARCHAR(16) NOT NULL,
        batch_size INT NOT NULL,
        reject_mode VARCHAR(8) NOT NULL,
        header_skipped ${bool} NOT NULL DEFAULT ${schema.false},
        rows_read INT NOT NULL DEFAULT 0,
        rows_inserted INT NOT NULL DEFAULT 0,
        rows_rejected INT NOT NULL DEFAULT 0,
        batches_total INT NOT NULL DEFAULT 0,
        batches_committed INT NOT NULL DEFAULT 0,
        batches_rejected INT NOT NULL DEFAULT 0,
        error VARCHAR(1000) NULL,
        started_at ${datetime} NOT NULL,
        finished_at ${datetime} NULL,
        duration_ms INT NULL
      )${tail}`,
    );
    await queryRunner.query('CREATE INDEX idx_migration_runs_started_at ON migration_runs (started_at)');
    await queryRunner.query(
      `CREATE TABLE rejected_batches (
        id ${autoId},
        run_id INT NOT NULL,
        batch_no INT NOT NULL,
        first_line INT NOT NULL,
        last_line INT NOT NULL,
        raw_rows ${schema.longText} NOT NULL,
        errors ${schema.longText} NOT NULL,
        CONSTRAINT fk_rejected_batches_run FOREIGN KEY (run_id) REFERENCES migration_runs (id) ON DELETE CASCADE
      )${tail}`,
    );
    await queryRunner.query('CREATE INDEX idx_rejected_batches_run ON rejected_batches (run_id, batch_no)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['rejected_batches', 'migration_runs', 'hired_employees', 'jobs', 'departments']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
