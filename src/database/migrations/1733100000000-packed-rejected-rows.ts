import { MigrationInterface, QueryRunner } from 'typeorm';
import { createDialect } from '../dialects/create-dialect';

interface PackedEntry {
  run_id: number | string;
  batch_no: number | string;
  row_no: number | string;
  packed_rows: number | string;
  raw_row: string;
  errors: string;
  raw_text: unknown;
}

/** Rows written back per INSERT when the packing is undone. */
const ROWS_PER_INSERT = 100;

/**
 * Consecutive rejected rows of a batch share one entry of `rejected_rows`
 * (`src/migration/repositories/reject-log-entries.ts`): `packed_rows` says how many rows an entry
 * holds, 1 for every entry written before. Undone, each packed entry becomes its rows again.
 */
export class PackedRejectedRows1733100000000 implements MigrationInterface {
  name = 'PackedRejectedRows1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE rejected_rows ADD COLUMN packed_rows INT NOT NULL DEFAULT 1');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const dialect = createDialect(queryRunner.connection);
    const keys: { run_id: number | string; batch_no: number | string; row_no: number | string }[] =
      await queryRunner.query('SELECT run_id, batch_no, row_no FROM rejected_rows WHERE packed_rows > 1');
    for (const key of keys) {
      const [entry]: PackedEntry[] = await queryRunner.query(
        dialect.sql(`SELECT run_id, batch_no, row_no, packed_rows, raw_row, errors, raw_text FROM rejected_rows
          WHERE run_id = ? AND batch_no = ? AND row_no = ?`),
        [key.run_id, key.batch_no, key.row_no],
      );
      const raws = JSON.parse(entry.raw_row) as { line?: number }[];
      const reasons = JSON.parse(entry.errors) as unknown[];
      const packedText = dialect.rawTextOf(entry.raw_text);
      const texts = packedText === null ? [] : (JSON.parse(packedText) as (string | null)[]);
      const first = Number(entry.row_no);
      await queryRunner.query(
        dialect.sql('DELETE FROM rejected_rows WHERE run_id = ? AND batch_no = ? AND row_no = ?'),
        [entry.run_id, entry.batch_no, first],
      );
      for (let start = 0; start < raws.length; start += ROWS_PER_INSERT) {
        const chunk = raws.slice(start, start + ROWS_PER_INSERT);
        await queryRunner.query(
          dialect.sql(`INSERT INTO rejected_rows (run_id, batch_no, row_no, line, raw_row, errors, text_chars, raw_text)
            VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`),
          chunk.flatMap((raw, i) => [
            entry.run_id,
            entry.batch_no,
            first + start + i,
            Number(raw.line ?? 0),
            JSON.stringify(raw),
            JSON.stringify(reasons[start + i] ?? []),
            texts[start + i]?.length ?? null,
            dialect.rawTextValue(texts[start + i] ?? null),
          ]),
        );
      }
    }
    await queryRunner.query('ALTER TABLE rejected_rows DROP COLUMN packed_rows');
  }
}
