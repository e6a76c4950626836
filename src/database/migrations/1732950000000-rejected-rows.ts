import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';
import type { Dialect } from '../dialects/dialect';

interface LoggedError {
  line: number;
}

interface LegacyBatch {
  id: number | string;
  run_id: number | string;
  batch_no: number | string;
  raw_rows: string;
  raw_text: string | null;
  errors: string;
}

/** Rows moved per INSERT: a legacy batch holds at most 1,000 rows of a few KB each. */
const ROWS_PER_INSERT = 100;

/**
 * The reject log row by row: a page of one rejected row reads that row, not its batch of up to
 * 1,000, and the rows to fix stream a few at a time. A rejected batch keeps its lines, its row
 * count and the reasons that belong to no row. A row's text is kept whole (up to the load's limit
 * for a line), so the header's column grows on MySQL too. Existing logs are moved over.
 */
export class RejectedRows1732950000000 implements MigrationInterface {
  name = 'RejectedRows1732950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = createDialect(queryRunner.connection);
    const { schema } = dialect;
    const long = schema.longText;
    await queryRunner.query(
      `CREATE TABLE rejected_rows (
        run_id INT NOT NULL,
        batch_no INT NOT NULL,
        row_no INT NOT NULL,
        line INT NOT NULL,
        raw_row ${long} NOT NULL,
        errors ${long} NOT NULL,
        text_chars INT NULL,
        text_left_out ${schema.boolean} NOT NULL DEFAULT ${schema.false},
        raw_text ${schema.rawText} NULL,
        PRIMARY KEY (run_id, batch_no, row_no),
        CONSTRAINT fk_rejected_rows_run FOREIGN KEY (run_id) REFERENCES migration_runs (id) ON DELETE CASCADE
      )${schema.tableOptions}`,
    );
    await queryRunner.query('ALTER TABLE rejected_batches ADD COLUMN row_count INT NOT NULL DEFAULT 0');
    // SQLite's and PostgreSQL's TEXT hold any length already.
    if (dialect.engine === 'mysql')
      await queryRunner.query('ALTER TABLE migration_runs MODIFY header_text MEDIUMTEXT NULL');
    const ids: { id: number | string }[] = await queryRunner.query('SELECT id FROM rejected_batches ORDER BY id');
    for (const { id } of ids) await moveBatchRows(queryRunner, dialect, Number(id));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const dialect = createDialect(queryRunner.connection);
    const batches: { id: number | string; run_id: number | string; batch_no: number | string; errors: string }[] =
      await queryRunner.query('SELECT id, run_id, batch_no, errors FROM rejected_batches WHERE row_count > 0');
    for (const batch of batches) {
      const rows: { raw_row: string; errors: string; raw_text: unknown }[] = await queryRunner.query(
        dialect.sql(
          'SELECT raw_row, errors, raw_text FROM rejected_rows WHERE run_id = ? AND batch_no = ? ORDER BY row_no',
        ),
        [batch.run_id, batch.batch_no],
      );
      const errors = [...rows.flatMap((r) => JSON.parse(r.errors) as unknown[]), ...(JSON.parse(batch.errors) as [])];
      const texts = rows.map((r) => dialect.rawTextOf(r.raw_text));
      await queryRunner.query(
        dialect.sql('UPDATE rejected_batches SET raw_rows = ?, raw_text = ?, errors = ? WHERE id = ?'),
        [
          `[${rows.map((r) => r.raw_row).join(',')}]`,
          texts.some((t) => t !== null) ? JSON.stringify(texts) : null,
          JSON.stringify(errors),
          batch.id,
        ],
      );
    }
    await queryRunner.query('DROP TABLE rejected_rows');
    await queryRunner.query('ALTER TABLE rejected_batches DROP COLUMN row_count');
    if (dialect.engine === 'mysql') {
      await queryRunner.query('UPDATE migration_runs SET header_text = LEFT(header_text, 4096)');
      await queryRunner.query('ALTER TABLE migration_runs MODIFY header_text TEXT NULL');
    }
  }
}

/** One legacy batch's JSON arrays become rows; each row takes the reasons of its line. */
async function moveBatchRows(queryRunner: QueryRunner, dialect: Dialect, id: number): Promise<void> {
  const [batch]: LegacyBatch[] = await queryRunner.query(
    dialect.sql('SELECT id, run_id, batch_no, raw_rows, raw_text, errors FROM rejected_batches WHERE id = ?'),
    [id],
  );
  const rows = JSON.parse(batch.raw_rows) as { line: number }[];
  const texts = batch.raw_text === null ? [] : (JSON.parse(batch.raw_text) as (string | null)[]);
  const errors = JSON.parse(batch.errors) as LoggedError[];
  const lines = new Set(rows.map((r) => r.line));
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const values = chunk.flatMap((row, i) => {
      const text = texts[start + i] ?? null;
      return [
        batch.run_id,
        batch.batch_no,
        start + i,
        row.line,
        JSON.stringify(row),
        JSON.stringify(errors.filter((e) => e.line === row.line)),
        text === null ? null : text.length,
        dialect.rawTextValue(text),
      ];
    });
    await queryRunner.query(
      dialect.sql(`INSERT INTO rejected_rows (run_id, batch_no, row_no, line, raw_row, errors, text_chars, raw_text)
        VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`),
      values,
    );
  }
  await queryRunner.query(
    dialect.sql("UPDATE rejected_batches SET raw_rows = '[]', raw_text = NULL, errors = ?, row_count = ? WHERE id = ?"),
    [JSON.stringify(errors.filter((e) => !lines.has(e.line))), rows.length, id],
  );
}
