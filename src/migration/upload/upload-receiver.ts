import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { TABLE_COLUMNS, TABLE_NAMES, type TableName } from '../../database/tables';
import { parseLoadOptions, tableFromFileName, type LoadOptions } from './upload-options';

export interface Upload {
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface UploadedFile {
  table: TableName;
  fileName: string;
  stream: Readable;
}

/** A file of an upload written to a temporary file, to be loaded later. */
export interface SpooledFile {
  table: TableName;
  fileName: string;
  path: string;
  bytes: number;
}

/** A whole upload on disk, files in dependency order; `dispose` removes the temporary files. */
export interface SpooledUpload {
  options: LoadOptions;
  files: SpooledFile[];
  dispose(): Promise<void>;
}

/** Files one request may carry; the upload is refused with 400 when one more begins. */
export const MAX_FILES_PER_REQUEST = 10;

export type FileHandler = (options: LoadOptions, file: UploadedFile) => Promise<void>;

/** Tables a table references: a file of it waits for files of these sent in the same request. */
const DEPENDS_ON = Object.fromEntries(
  TABLE_NAMES.map((t) => [t, TABLE_COLUMNS[t].flatMap((c) => (c.references ? [c.references] : []))]),
) as Record<TableName, TableName[]>;

/**
 * Reads a multipart upload as it arrives (busboy, multer's own parser) and hands each file's stream
 * to the loader. Form fields count only before the first file. A file that arrives before a table it
 * depends on could arrive is spooled to a temporary file and loaded at the end, after its dependencies.
 */
@Injectable()
export class UploadReceiver {
  constructor(private readonly config: AppConfig) {}

  async receive(upload: Upload, handle: FileHandler): Promise<void> {
    this.checkRequest(upload);
    const session = new UploadSession(upload, handle, this.config.maxUploadBytes, () => this.tooLarge());
    return session.run();
  }

  /**
   * Receives the whole upload into temporary files before anything is loaded (async runs). Refusals
   * (options, unknown table, size) are thrown as for `receive`, with the temporary files removed.
   */
  async receiveToDisk(upload: Upload): Promise<SpooledUpload> {
    this.checkRequest(upload);
    const session = new UploadSession(
      upload,
      async () => undefined,
      this.config.maxUploadBytes,
      () => this.tooLarge(),
    );
    return session.spoolAll();
  }

  private checkRequest(upload: Upload): void {
    const length = Number(upload.headers['content-length']);
    if (Number.isFinite(length) && length > this.config.maxUploadBytes) throw this.tooLarge();
    if (!/^multipart\/form-data/i.test(upload.headers['content-type'] ?? '')) {
      throw new DomainError('MIGRATION_NO_FILE', 'Send the CSV files as multipart/form-data in a field named file');
    }
  }

  private tooLarge(): DomainError {
    const mb = Math.floor(this.config.maxUploadBytes / (1024 * 1024));
    return new DomainError('REQUEST_TOO_LARGE', `The upload is larger than the limit of ${mb} MB (MAX_UPLOAD_MB)`);
  }
}

class UploadSession {
  private readonly fields: Record<string, string> = {};
  private options: LoadOptions | undefined;
  private readonly seen = new Set<TableName>();
  private readonly spooled: SpooledFile[] = [];
  private spoolEverything = false;
  private spoolDir: Promise<string> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private files = 0;
  private bytes = 0;
  private current: Readable | undefined;

  constructor(
    private readonly upload: Upload,
    private readonly handle: FileHandler,
    private readonly maxBytes: number,
    private readonly tooLarge: () => DomainError,
  ) {}

  async run(): Promise<void> {
    try {
      await this.received();
      for (const file of this.inDependencyOrder()) {
        const stream = createReadStream(file.path);
        try {
          await this.handle(this.options as LoadOptions, { ...file, stream });
        } finally {
          stream.destroy();
        }
      }
    } finally {
      await this.removeSpooled();
    }
  }

  async spoolAll(): Promise<SpooledUpload> {
    this.spoolEverything = true;
    try {
      await this.received();
    } catch (error) {
      await this.removeSpooled();
      throw error;
    }
    return {
      options: this.options as LoadOptions,
      files: this.inDependencyOrder(),
      dispose: () => this.removeSpooled(),
    };
  }

  private async received(): Promise<void> {
    await this.parse();
    // A refusal (say, past MAX_UPLOAD_MB) stops the file being spooled; the refusal is the answer.
    await this.chain.catch((error: unknown) => this.fail(error));
    if (this.failure) throw this.failure;
    if (this.files === 0)
      throw new DomainError('MIGRATION_NO_FILE', 'No file was sent: add one or more CSV files in the field named file');
  }

  private inDependencyOrder(): SpooledFile[] {
    return TABLE_NAMES.flatMap((table) => this.spooled.filter((s) => s.table === table));
  }

  private async removeSpooled(): Promise<void> {
    await this.chain.catch(() => undefined);
    if (this.spoolDir) await rm(await this.spoolDir, { recursive: true, force: true });
  }

  private parse(): Promise<void> {
    return new Promise((resolve) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: this.upload.headers,
          limits: { fields: 20, fieldSize: 1024, files: MAX_FILES_PER_REQUEST, parts: 50 },
        });
      } catch {
        throw new DomainError(
          'MIGRATION_NO_FILE',
          'The multipart/form-data body has no boundary; send the files with a form',
        );
      }
      const stop = (error: unknown) => {
        this.fail(error);
        this.upload.body.unpipe(parser);
        this.upload.body.resume();
        resolve();
      };
      this.upload.body.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
        if (this.bytes > this.maxBytes && !this.failure) stop(this.tooLarge());
      });
      parser.on('field', (name, value, info) => {
        if (this.files > 0)
          return stop(invalid(`The form field ${name.slice(0, 40)} comes after a file; send the fields first`));
        if (info.valueTruncated) return stop(invalid(`The form field ${name.slice(0, 40)} is too long`));
        this.fields[name] = value;
      });
      parser.on('file', (name, stream, info) => this.onFile(name, stream, info.filename ?? '', stop));
      parser.on('filesLimit', () =>
        stop(invalid(`Too many files in one request: send at most ${MAX_FILES_PER_REQUEST} files per request`)),
      );
      parser.on('fieldsLimit', () => stop(invalid('Too many form fields')));
      parser.on('partsLimit', () => stop(invalid('Too many parts in the form')));
      parser.on('error', () => stop(invalid('The multipart/form-data body is malformed')));
      parser.on('close', () => resolve());
      const interrupted = () => stop(invalid('The upload was interrupted before its end'));
      this.upload.body.on('error', interrupted);
      // A client that goes away mid-upload: busboy would wait for the rest forever.
      this.upload.body.on('close', () => {
        if ((this.upload.body as { complete?: boolean }).complete === false) interrupted();
      });
      this.upload.body.pipe(parser);
    });
  }

  private onFile(name: string, stream: Readable, rawName: string, stop: (error: unknown) => void): void {
    if (this.failure) return void stream.resume();
    try {
      if (name !== 'file') throw invalid(`Files go in the field named file, not ${name.slice(0, 40)}`);
      this.options ??= parseLoadOptions(this.fields);
      const fileName = basename(rawName.replace(/\\/g, '/')).slice(0, 255);
      const table = this.options.table ?? tableFromFileName(fileName);
      if (!table) {
        throw new DomainError(
          'MIGRATION_UNKNOWN_TABLE',
          `Cannot tell the table of ${JSON.stringify(fileName.slice(0, 80))}: name it departments*.csv, jobs*.csv or hired_employees*.csv, or send the table field with one file`,
        );
      }
      this.files++;
      const waits =
        this.spoolEverything || (this.options.table === undefined && DEPENDS_ON[table].some((t) => !this.seen.has(t)));
      this.seen.add(table);
      const task = waits ? () => this.spool(table, fileName, stream) : () => this.load(table, fileName, stream);
      this.chain = this.chain.then(task);
      this.chain.catch((error: unknown) => stop(error));
    } catch (error) {
      stream.resume();
      stop(error);
    }
  }

  private async load(table: TableName, fileName: string, stream: Readable): Promise<void> {
    this.current = stream;
    try {
      await this.handle(this.options as LoadOptions, { table, fileName, stream });
    } finally {
      this.current = undefined;
      stream.resume();
    }
  }

  private async spool(table: TableName, fileName: string, stream: Readable): Promise<void> {
    this.spoolDir ??= mkdtemp(join(tmpdir(), 'hr-upload-'));
    const path = join(await this.spoolDir, `${this.spooled.length}.csv`);
    this.current = stream;
    try {
      await pipeline(stream, createWriteStream(path));
    } finally {
      this.current = undefined;
    }
    this.spooled.push({ table, fileName, path, bytes: (await stat(path)).size });
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error;
    // The loader may not be reading yet (its run is still being created): it meets the error when it
    // reads. Without a listener now, the error event would be thrown and stop the process.
    this.current?.on('error', () => undefined).destroy(new Error('The upload was stopped'));
  }
}

function invalid(message: string): DomainError {
  return new DomainError('MIGRATION_INVALID_OPTION', message);
}
