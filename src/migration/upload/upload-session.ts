import { rm } from 'node:fs/promises';
import { Observable } from 'rxjs';
import { DomainError } from '../../common/errors/domain-error';
import { withoutControls } from '../../common/text/controls';
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

/** Where a file goes when its part begins: into its run now, or to disk until its dependencies or the fields are in. */
export type AdmittedFile =
  | { spool: false; table: TableName; fileName: string; fullName: string }
  | { spool: true; fileName: string; fullName: string };

/** A spooled file whose table is decided once every field is known. */
interface PendingFile {
  fullName: string;
  fileName: string;
  path: string;
  bytes: number;
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
 * What one multipart upload has done so far. The options come from the query string and the form
 * fields, in any order. A file streams into its run as it arrives when the options are known by
 * then (a form field came before it, or options are in the query string) and the tables it
 * references are in; otherwise it is spooled and loads once the body is in, with every field. A
 * field that comes after a file that already streamed would have changed how it loaded: refused.
 */
export class UploadSession {
  readonly loaded: MigrationRunEntity[] = [];
  private readonly pending: PendingFile[] = [];
  private spooled: SpooledFile[] = [];
  files = 0;
  private options: LoadOptions | undefined;
  /** The fields the streamed files loaded with; undefined while no file has streamed. */
  private fieldsAtStream: Record<string, string> | undefined;
  private readonly seen = new Set<TableName>();
  private chain: Promise<unknown> = Promise.resolve();
  private dir: Promise<string> | undefined;
  private endIdle: ((error: DomainError) => void) | undefined;

  /** Fails once the upload has been idle too long, after the load it stopped has ended its run. */
  readonly idle = new Observable<never>((subscriber) => {
    this.endIdle = (error) => subscriber.error(error);
  });

  /**
   * `query`: the request's query string (async aside); `spoolEverything`: async uploads receive
   * every file to disk before anything loads.
   */
  constructor(
    request: object,
    private readonly query: Record<string, unknown>,
    readonly spoolEverything: boolean,
    private readonly makeSpoolDir: () => Promise<string>,
  ) {
    sessions.set(request, this);
  }

  /** Checks a file whose part begins, with the fields sent so far, and says where it goes. */
  admit(fields: unknown, fieldName: string, originalName: string): AdmittedFile {
    if (fieldName !== 'file') throw invalid(`Files go in the field named file, not ${fieldName.slice(0, 40)}`);
    // Controls in a name (filename*=UTF-8''…%0A…) would forge log lines or drive a terminal.
    const fullName = withoutControls(baseName(originalName));
    const fileName = storedFileName(fullName);
    const now = this.fields(fields);
    this.files++;
    // Nothing told yet how to load it: any field may still come.
    const known = Object.keys(formFields(fields)).length > 0 || Object.keys(formFields(this.query)).length > 0;
    if (this.spoolEverything || !known) return { spool: true, fileName, fullName };
    const options = this.fieldsAtStream ? this.streamOptions(now) : parseLoadOptions(now);
    const table = fileTable(options, fullName, fileName);
    const spool = options.table === undefined && DEPENDS_ON[table].some((t) => !this.seen.has(t));
    this.seen.add(table);
    if (spool) return { spool, fileName, fullName };
    if (!this.fieldsAtStream) {
      this.options = options;
      this.fieldsAtStream = now;
    }
    return { spool, fileName, fullName, table };
  }

  /** A file written to the spool folder, to load once the body is in. */
  addSpooled(file: PendingFile): void {
    this.pending.push(file);
  }

  get loadOptions(): LoadOptions {
    if (!this.options) throw new Error('No file has been admitted yet');
    return this.options;
  }

  /**
   * Once the body is in, with every field known: decides the options and the table of every
   * spooled file, or refuses the upload (a field that came after a streamed file, an upload
   * without a file, a file of no known table or of another table than the table field).
   */
  complete(fields: unknown): void {
    const now = this.fields(fields);
    this.options = this.fieldsAtStream ? this.streamOptions(now) : parseLoadOptions(now);
    if (this.files === 0) {
      throw new DomainError('MIGRATION_NO_FILE', 'No file was sent: add one or more CSV files in the field named file');
    }
    const options = this.options;
    this.spooled = this.pending.map((file) => ({
      table: fileTable(options, file.fullName, file.fileName),
      fileName: file.fileName,
      path: file.path,
      bytes: file.bytes,
    }));
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

  /** The query string's options under the form's fields: a form field wins over the same query parameter. */
  private fields(body: unknown): Record<string, string> {
    return { ...formFields(this.query), ...formFields(body) };
  }

  /** The options the streamed files loaded with, unless a field changed since. */
  private streamOptions(now: Record<string, string>): LoadOptions {
    const before = this.fieldsAtStream ?? {};
    const late = Object.keys(now).find((name) => now[name] !== before[name]);
    if (late !== undefined) {
      throw invalid(
        `The form field ${late.slice(0, 40)} comes after a file that was already loaded with the fields before it; ` +
          'send every field before the files, or in the query string',
      );
    }
    return this.loadOptions;
  }
}

/** The table a file loads into: the table field, else its name; a name of another table needs force=true. */
function fileTable(options: LoadOptions, fullName: string, fileName: string): TableName {
  const named = tableFromFileName(fullName);
  const table = options.table ?? named;
  if (!table) {
    throw new DomainError(
      'MIGRATION_UNKNOWN_TABLE',
      `Cannot tell the table of ${echo(fileName)}: name it departments*.csv, jobs*.csv or hired_employees*.csv, or send the table field with one file`,
    );
  }
  if (named !== undefined && named !== table && !options.force) {
    throw new DomainError(
      'MIGRATION_TABLE_MISMATCH',
      `The file ${echo(fileName)} is named for ${named}, not ${table}: send it with table=${named}, or with force=true to load it into ${table} all the same`,
    );
  }
  return table;
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
