import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { Dialect, type EncodedRows } from '../../database/dialect';
import type { TableName } from '../../database/tables';
import type { DbValue } from '../rules/row-validator';

/** The HR tables as the load sees them: one lookup of ids per batch, one multi-row upsert per batch. */
@Injectable()
export class HrTablesRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: Dialect,
  ) {}

  /** Which of `ids` exist in `table`, in one query. */
  async findExistingIds(table: TableName, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    const rows: { id: number | string }[] = await this.dataSource.query(
      this.dialect.sql(`SELECT id FROM ${table} WHERE id IN (${marks})`),
      [...ids],
    );
    return rows.map((r) => Number(r.id));
  }

  /** A batch's rows in the form `upsertBatch` sends, made before the batch waits for a connection. */
  encode(table: TableName, rows: readonly DbValue[][]): EncodedRows {
    return this.dialect.encodeRows(table, rows);
  }

  /** Inserts the encoded rows, updating those whose id exists: one statement for the batch. */
  async upsertBatch(runner: QueryRunner, table: TableName, rows: EncodedRows): Promise<void> {
    await this.dialect.upsertEncoded(runner, table, rows);
  }
}
