import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '../../common/errors/domain-error';
import type { RejectMode } from '../../database/entities/migration-run.entity';
import { TABLE_NAMES, type TableName } from '../../database/tables';
import type { HeaderMode } from '../csv/csv-row-reader';
import type { CsvDelimiter } from '../csv/csv-tokenizer';
import { StartMigrationRunDto } from '../dto/start-migration-run.dto';

export interface LoadOptions {
  table?: TableName;
  batchSize: number;
  rejectMode: RejectMode;
  header: HeaderMode;
  delimiter: CsvDelimiter;
  /** Apply every rule, record the run, write no row. */
  dryRun: boolean;
  /** The run stops when its rejected rows would pass this; none when undefined. */
  maxRejected?: number;
  /** Load a file into `table` even when its name names another table. */
  force: boolean;
  /**
   * The ids each file of this upload would have written, by table: a dry run writes nothing, so a
   * later file of the same upload finds the rows it references here rather than in the database.
   */
  uploadIds: Map<TableName, Set<number>>;
}

const FIELDS = new Set(['table', 'batchSize', 'rejectMode', 'header', 'delimiter', 'dryRun', 'maxRejected', 'force']);
const INTEGER = /^\s*\d{1,12}\s*$/;

/** Reads the options (form fields and query parameters) into load options, or says which one is wrong (400). */
export function parseLoadOptions(fields: Record<string, string>): LoadOptions {
  for (const name of Object.keys(fields)) {
    if (!FIELDS.has(name)) {
      throw new DomainError(
        'MIGRATION_INVALID_OPTION',
        `Unknown form field or query parameter ${JSON.stringify(name.slice(0, 40))}; the fields are file, ${[...FIELDS].join(', ')}`,
      );
    }
  }
  const { batchSize, maxRejected, ...rest } = fields;
  const plain: Record<string, unknown> = { ...rest };
  if (batchSize !== undefined) plain.batchSize = INTEGER.test(batchSize) ? Number(batchSize) : batchSize;
  if (maxRejected !== undefined) plain.maxRejected = INTEGER.test(maxRejected) ? Number(maxRejected) : maxRejected;
  const dto = plainToInstance(StartMigrationRunDto, plain);
  const errors = validateSync(dto, { stopAtFirstError: true });
  if (errors.length > 0) {
    const code = errors.some((e) => e.property === 'table') ? 'MIGRATION_UNKNOWN_TABLE' : 'MIGRATION_INVALID_OPTION';
    throw new DomainError(code, errors.map((e) => Object.values(e.constraints ?? {})[0]).join('; '));
  }
  return {
    table: dto.table,
    batchSize: dto.batchSize ?? 1000,
    rejectMode: dto.rejectMode ?? 'batch',
    header: dto.header ?? 'auto',
    delimiter: dto.delimiter === 'tab' ? '\t' : (dto.delimiter ?? ','),
    dryRun: dto.dryRun === 'true',
    maxRejected: dto.maxRejected,
    force: dto.force === 'true',
    uploadIds: new Map(),
  };
}

/** `departments*.csv`, `jobs*.csv`, `hired_employees*.csv`, in any case; the longest name wins. */
export function tableFromFileName(fileName: string): TableName | undefined {
  const name = fileName.toLowerCase();
  if (!name.endsWith('.csv')) return undefined;
  return [...TABLE_NAMES].sort((a, b) => b.length - a.length).find((table) => name.startsWith(table));
}

/** The name as stored with the run (255 characters at most), its extension kept. */
export function storedFileName(name: string): string {
  const chars = [...name];
  if (chars.length <= 255) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 10 ? [...name.slice(dot)] : [];
  return [...chars.slice(0, 255 - extension.length - 1), '…', ...extension].join('');
}
