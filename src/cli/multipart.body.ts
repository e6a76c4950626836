import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename } from 'node:path';
import type { Upload } from './api.client';
import { CliError } from './cli.error';

export interface UploadFile {
  path: string;
  name: string;
  size: number;
}

const CRLF = '\r\n';

/** Every file must exist and be readable before anything is sent. */
export async function checkUploadFiles(paths: string[]): Promise<UploadFile[]> {
  const files: UploadFile[] = [];
  for (const path of paths) {
    // A missing or unreadable file is reported below by name, as the user gave it.
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliError(`file not found: ${path}`);
    if (!info.isFile()) throw new CliError(`not a file: ${path}`);
    await access(path, constants.R_OK).catch(() => {
      throw new CliError(`cannot read ${path}: permission denied`);
    });
    files.push({ path, name: basename(path), size: info.size });
  }
  return files;
}

/**
 * A multipart/form-data body read from disk as the request goes out, so memory does not grow with
 * the files. Fields come first: the service then loads each file as it streams in.
 * `onBytes` is called with the running count of bytes handed to the connection.
 */
export function buildMultipartUpload(
  fields: Record<string, string>,
  files: UploadFile[],
  onBytes: (sent: number) => void,
): Upload {
  const boundary = `----hr-migrate-${randomBytes(12).toString('hex')}`;
  const fieldParts = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`),
  );
  const fileHeads = files.map((file) =>
    Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="file"; filename="${quote(file.name)}"${CRLF}` +
        `Content-Type: text/csv${CRLF}${CRLF}`,
    ),
  );
  const tail = Buffer.from(`--${boundary}--${CRLF}`);
  const contentLength =
    sum(fieldParts.map((p) => p.length)) +
    sum(fileHeads.map((h, i) => h.length + files[i].size + CRLF.length)) +
    tail.length;
  return {
    body: streamParts(fieldParts, fileHeads, files, tail, onBytes),
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
  };
}

async function* streamParts(
  fieldParts: Buffer[],
  fileHeads: Buffer[],
  files: UploadFile[],
  tail: Buffer,
  onBytes: (sent: number) => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  const emit = (chunk: Buffer) => {
    sent += chunk.length;
    onBytes(sent);
    return chunk;
  };
  for (const part of fieldParts) yield emit(part);
  for (const [i, file] of files.entries()) {
    yield emit(fileHeads[i]);
    yield* readFile(file, emit);
    yield emit(Buffer.from(CRLF));
  }
  yield emit(tail);
}

async function* readFile(file: UploadFile, emit: (chunk: Buffer) => Buffer): AsyncGenerator<Uint8Array> {
  let read = 0;
  try {
    for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
      read += (chunk as Buffer).length;
      yield emit(chunk as Buffer);
    }
  } catch (error) {
    throw new CliError(`cannot read ${file.path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The declared Content-Length would be wrong; the service would see a truncated upload.
  if (read !== file.size) throw new CliError(`${file.path} changed while it was being sent`);
}

function quote(name: string): string {
  return name.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
