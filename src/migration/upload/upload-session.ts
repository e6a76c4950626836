import { rm } from 'node:fs/promises';
import { Observable } from 'rxjs';
import { DomainError } from '../../common/errors/domain-error';
import { echo } from '../../common/text/echo';
import type { MigrationRunEntity } from '../../database/entities/migration-run.entity';
import { TABLE_COLUMNS, TABLE_NAMES, type TableName } from '../../database/tables';
import { parseLoadOptions, storedFileName, tableFromFileName, type LoadOptions } from './upload-options';

/** A file of an upload written to a temporary file, to be loaded later. */
export interface SpooledFile {
  table: TableName;
  fileName: string;
  path: string;
  bytes: number;
}

/**
 * An upload once its body is in: the runs of the files loaded as they arrived, and the files
 * waiting on disk in dependency order. Whoever loads the spooled files calls `dispose` at the end.
 */
export interface ReceivedUpload {
  options: LoadOptions;
  loaded: MigrationRunEntity[];
  files: SpooledFile[];
  dispose(): Promise<void>;
}

/** Where a file goes when its part begins: into its run now, or to disk until its dependencies are in. */
export interface AdmittedFile {
  table: TableName;
  fileName: string;
  spool: boolean;
}

/** Tables a table references: a file of it waits for files of these sent in the same request. */
const DEPENDS_ON = Object.fromEntries(
  TABLE_NAMES.map((t) => [t, TABLE_COLUMNS[t].flatMap((c) => (c.references ? [c.references] : []))]),
) as Record<TableName, TableName[]>;

const sessions = new WeakMap<object, UploadSession>();

/** The upload session of a request, opened by the upload interceptor before the body is read. */
export function sessionOf(request: object): UploadSession {
  const session = sessions.get(request);
  if (!session) throw new Error('No upload session was opened for this request');
  return session;
}

/**
 * What one multipart upload has done so far. Form fields count only before the first file; the
 * files are loaded one after another, in the order they arrive.
 */
export class UploadSession {
  readonly loaded: MigrationRunEntity[] = [];
  readonly spooled: SpooledFile[] = [];
  files = 0;
  private options: LoadOptions | undefined;
  private fieldsAtFirstFile: Record<string, string> = {};
  private readonly seen = new Set<TableName>();
  private chain: Promise<unknown> = Promise.resolve();
  private dir: Promise<string> | undefined;
  private endIdle: ((error: DomainError) => void) | undefined;

  /** Fails once the upload has been idle too long, after the load it stopped has ended its run. */
  readonly idle = new Observable<never>((subscriber) => {
    this.endIdle = (error) => subscriber.error(error);
  });

  /** `spoolEverything`: async uploads receive every file to disk before anything loads. */
  constructor(
    request: object,
    readonly spoolEverything: boolean,
    private readonly makeSpoolDir: () => Promise<string>,
  ) {
    sessions.set(request, this);
  }

  /** Checks a file whose part begins, with the fields sent so far, and says where it goes. */
  admit(fields: unknown, fieldName: string, originalName: string): AdmittedFile {
    if (fieldName !== 'file') throw invalid(`Files go in the field named file, not ${fieldName.slice(0, 40)}`);
    const options = this.readOptions(fields);
    const fullName = baseName(originalName);
    const fileName = storedFileName(fullName);
    const table = options.table ?? tableFromFileName(fullName);
    if (!table) {
      throw new DomainError(
        'MIGRATION_UNKNOWN_TABLE',
        `Cannot tell the table of ${echo(fileName)}: name it departments*.csv, jobs*.csv or hired_employees*.csv, or send the table field with one file`,
      );
    }
    this.files++;
    const spool =
      this.spoolEverything || (options.table === undefined && DEPENDS_ON[table].some((t) => !this.seen.has(t)));
    this.seen.add(table);
    return { table, fileName, spool };
  }

  get loadOptions(): LoadOptions {
    if (!this.options) throw new Error('No file has been admitted yet');
    return this.options;
  }

  /** Once the body is in: refuses a field sent after the first file, or an upload without a file. */
  checkComplete(fields: unknown): void {
    if (this.options) this.readOptions(fields);
    if (this.files === 0) {
      throw new DomainError('MIGRATION_NO_FILE', 'No file was sent: add one or more CSV files in the field named file');
    }
  }

  stopIdle(error: DomainError): void {
    void this.settled().then(() => this.endIdle?.(error));
  }

  /** Runs a file's load after the loads of the files before it. */
  enqueue<T>(load: () => Promise<T>): Promise<T> {
    const next = this.chain.then(load);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every load queued so far has ended. */
  async settled(): Promise<void> {
    await this.chain;
  }

  spoolDir(): Promise<string> {
    this.dir ??= this.makeSpoolDir();
    return this.dir;
  }

  received(): ReceivedUpload {
    return {
      options: this.loadOptions,
      loaded: this.loaded,
      files: TABLE_NAMES.flatMap((table) => this.spooled.filter((s) => s.table === table)),
      dispose: () => this.dispose(),
    };
  }

  /** Removes the temporary files; safe to call more than once. */
  async dispose(): Promise<void> {
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  private readOptions(fields: unknown): LoadOptions {
    const now = formFields(fields);
    if (!this.options) {
      this.options = parseLoadOptions(now);
      this.fieldsAtFirstFile = now;
      return this.options;
    }
    const late = Object.keys(now).find((name) => now[name] !== this.fieldsAtFirstFile[name]);
    if (late !== undefined)
      throw invalid(`The form field ${late.slice(0, 40)} comes after a file; send the fields first`);
    return this.options;
  }
}

/** Multer's body: a field sent twice becomes an array, `a[b]` an object; either is then refused by name or value. */
function formFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) {
    fields[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return fields;
}

function baseName(rawName: string): string {
  const parts = rawName.replace(/\\/g, '/').split('/');
  return parts[parts.length - 1];
}

export function invalid(message: string): DomainError {
  return new DomainError('MIGRATION_INVALID_OPTION', message);
}
