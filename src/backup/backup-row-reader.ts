import type { FileHandle } from 'node:fs/promises';
import { isUtf8Text } from '../common/data-rules';
import { DomainError } from '../common/errors/domain-error';
import { TABLE_COLUMNS, type TableName } from '../database/tables';
import { AvroContainerReader, ContainerDamageError, type ContainerBlock } from './avro-container-reader';
import { diagnoseRecord } from './avro-record-diagnosis';
import { resolveWriterSchema, type SchemaResolution } from './avro-schemas';
import { notUtf8Reason, recordToRow, TEXT_COLUMN, type TableRow } from './backup-records';

/** Rows per INSERT statement of a restore. */
export const RESTORE_BATCH_SIZE = 5000;
/** How many invalid records an answer names; reading goes on to count them all. */
const PROBLEMS_SHOWN = 5;

export interface BackupReadSummary {
  rows: number;
  sha256: string;
  /** Every id greater than the one before: no id repeats (this service's backups are in id order). */
  idsAscending: boolean;
}

/**
 * Reads a backup to its end as batches of table rows, checking everything on the way: the
 * container (every sync marker, no truncation), that each block holds exactly the records it
 * declares, the writer schema against the table's, and every record against the data rules.
 * Throws coded errors naming the file (never its path). `summary` is filled once the file is done.
 * Given an open file rather than a path, it reads it from its start and leaves it open.
 */
export async function* readBackupRows(
  table: TableName,
  file: string,
  source: string | FileHandle,
  summary: Partial<BackupReadSummary> = {},
): AsyncGenerator<TableRow[]> {
  const reader = typeof source === 'string' ? await AvroContainerReader.open(source) : AvroContainerReader.of(source);
  try {
    const header = await reader.header();
    const decoder = new BlockRowDecoder(table, file, resolveWriterSchema(table, header.schema));
    for await (const block of reader.blocks(header.codec, { decompress: true })) {
      for (const rows of decoder.batches(block, RESTORE_BATCH_SIZE)) yield rows;
    }
    decoder.assertAllValid();
    summary.rows = decoder.records;
    summary.sha256 = reader.sha256;
    summary.idsAscending = decoder.idsAscending;
  } catch (error) {
    if (error instanceof ContainerDamageError) throw damaged(file, error.message);
    throw error;
  } finally {
    await reader.close();
  }
}

/** Decodes blocks into rows, counting records, collecting invalid ones, and watching the id order. */
class BlockRowDecoder {
  records = 0;
  idsAscending = true;
  private lastId = 0;
  private invalid = 0;
  private readonly problems: string[] = [];

  constructor(
    private readonly table: TableName,
    private readonly file: string,
    private readonly schema: SchemaResolution,
  ) {}

  /**
   * The block's valid rows, `size` at a time, decoded as they are asked for: a block of millions of
   * tiny records never sits in memory as rows. None once an invalid record was seen: the file
   * will be refused.
   */
  *batches(block: ContainerBlock, size: number): Generator<TableRow[]> {
    let rows: TableRow[] = [];
    let offset = 0;
    for (let i = 0; i < block.count; i += 1) {
      this.records += 1;
      const start = offset;
      const decoded = this.decode(block, offset);
      offset = decoded.offset;
      let row = recordToRow(this.table, decoded.value);
      if (typeof row !== 'string' && (row[TEXT_COLUMN] as string).includes('\uFFFD')) {
        row = this.notUtf8(block, start) ?? row;
      }
      if (typeof row === 'string') {
        this.invalid += 1;
        if (this.problems.length < PROBLEMS_SHOWN) this.problems.push(`record ${this.records}: ${row}`);
      } else if (this.invalid === 0) {
        rows.push(row);
        this.idsAscending &&= (row[0] as number) > this.lastId;
        this.lastId = row[0] as number;
        if (rows.length === size) {
          yield rows;
          rows = [];
        }
      }
    }
    if (offset !== block.data.length) {
      throw damaged(this.file, `block ${block.index} holds more data than its ${block.count} records`);
    }
    if (rows.length > 0) yield rows;
  }

  /** The reason when the record's text holds bytes that are not UTF-8, rather than a U+FFFD written as one. */
  private notUtf8(block: ContainerBlock, offset: number): string | undefined {
    const bytes = this.schema.textAsBytes;
    if (!bytes) return undefined;
    const { value } = bytes.readerType.decode(block.data, offset, bytes.resolver) as { value: Record<string, unknown> };
    const field = TABLE_COLUMNS[this.table][TEXT_COLUMN].name;
    const text = value[field];
    return text instanceof Uint8Array && !isUtf8Text(text) ? notUtf8Reason(field) : undefined;
  }

  assertAllValid(): void {
    if (this.invalid === 0) return;
    const n = this.invalid;
    throw new DomainError(
      'BACKUP_INVALID_RECORDS',
      `The backup ${this.file} holds ${n} invalid record${n === 1 ? '' : 's'}: ${this.problems.join('; ')}`,
      { invalidRecords: n },
    );
  }

  private decode(block: ContainerBlock, offset: number): { value: Record<string, unknown>; offset: number } {
    try {
      const decoded = this.schema.readerType.decode(block.data, offset, this.schema.resolver);
      if (decoded.offset >= 0) return decoded;
    } catch {
      // A long beyond 2^53, a union index or a length out of range: the diagnosis tells which.
    }
    const diagnosed = diagnoseRecord(this.schema, block.data, offset);
    if ('damage' in diagnosed) {
      const where = `record ${this.records} (block ${block.index})`;
      throw damaged(this.file, `${where} cannot be decoded: ${diagnosed.damage}`);
    }
    return diagnosed;
  }
}

function damaged(file: string, reason: string): DomainError {
  return new DomainError('BACKUP_FILE_CORRUPT', `The backup ${file} cannot be restored: ${reason}`);
}
