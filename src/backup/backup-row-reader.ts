import { DomainError } from '../common/errors/domain-error';
import type { TableName } from '../database/tables';
import { AvroContainerReader, ContainerDamageError } from './avro-container-reader';
import { resolveWriterSchema } from './avro-schemas';
import { recordToRow, type TableRow } from './backup-records';

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
 */
export async function* readBackupRows(
  table: TableName,
  file: string,
  path: string,
  summary: Partial<BackupReadSummary> = {},
): AsyncGenerator<TableRow[]> {
  const reader = await AvroContainerReader.open(path);
  const problems: string[] = [];
  let invalid = 0;
  let recordNo = 0;
  let lastId = 0;
  let idsAscending = true;
  try {
    const header = await reader.header();
    const { readerType, resolver } = resolveWriterSchema(table, header.schema);
    for await (const block of reader.blocks(header.codec, { decompress: true })) {
      const batch: TableRow[] = [];
      let offset = 0;
      for (let i = 0; i < block.count; i += 1) {
        recordNo += 1;
        let decoded: { value: Record<string, unknown>; offset: number };
        try {
          decoded = readerType.decode(block.data, offset, resolver);
        } catch {
          decoded = { value: {}, offset: -1 };
        }
        if (decoded.offset < 0) throw damaged(file, `record ${recordNo} (block ${block.index}) cannot be decoded`);
        offset = decoded.offset;
        const row = recordToRow(table, decoded.value);
        if (typeof row === 'string') {
          invalid += 1;
          if (problems.length < PROBLEMS_SHOWN) problems.push(`record ${recordNo}: ${row}`);
        } else if (invalid === 0) {
          batch.push(row);
          idsAscending &&= (row[0] as number) > lastId;
          lastId = row[0] as number;
        }
      }
      if (offset !== block.data.length) {
        throw damaged(file, `block ${block.index} holds more data than its ${block.count} records`);
      }
      for (let start = 0; start < batch.length; start += RESTORE_BATCH_SIZE) {
        yield batch.slice(start, start + RESTORE_BATCH_SIZE);
      }
    }
    if (invalid > 0) {
      throw new DomainError(
        'BACKUP_INVALID_RECORDS',
        `The backup ${file} holds ${invalid} invalid record${invalid === 1 ? '' : 's'}: ${problems.join('; ')}`,
        { invalidRecords: invalid },
      );
    }
    summary.rows = recordNo;
    summary.sha256 = reader.sha256;
    summary.idsAscending = idsAscending;
  } catch (error) {
    if (error instanceof ContainerDamageError) throw damaged(file, error.message);
    throw error;
  } finally {
    await reader.close();
  }
}

function damaged(file: string, reason: string): DomainError {
  return new DomainError('BACKUP_FILE_CORRUPT', `The backup ${file} cannot be restored: ${reason}`);
}
