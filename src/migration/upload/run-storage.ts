import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import multer from 'multer';
import { CsvLoadService } from '../csv-load.service';
import { sessionOf } from './upload-session';

type File = Express.Multer.File;
type Done = (error?: unknown, info?: Partial<File>) => void;

/**
 * multer's storage for `POST /migrate`: each file streams into its own run as it arrives, one
 * after another. A file that must wait (one of an async upload, one sent before the fields, or one
 * sent before a table it depends on) goes to a temporary file through multer's disk storage instead.
 */
@Injectable()
export class RunStorage implements multer.StorageEngine {
  private readonly disk = multer.diskStorage({
    destination: (request, _file, done) => {
      sessionOf(request)
        .spoolDir()
        .then(
          (dir) => done(null, dir),
          (error: Error) => done(error, ''),
        );
    },
  });

  constructor(private readonly csv: CsvLoadService) {}

  _handleFile(request: Request, file: File, done: Done): void {
    const session = sessionOf(request);
    let admitted;
    try {
      admitted = session.admit(request.body, file.fieldname, file.originalname);
    } catch (error) {
      done(error);
      return;
    }
    if (admitted.spool) {
      this.disk._handleFile(request, file, (error?: unknown, info?: Partial<File>) => {
        if (error || !info?.path) return done(error ?? new Error('The file was not written'));
        const { fileName, fullName } = admitted;
        session.addSpooled({ fileName, fullName, path: info.path, bytes: info.size ?? 0 });
        done(null, info);
      });
      return;
    }
    const { table, fileName } = admitted;
    session
      .enqueue(async () => {
        try {
          session.loaded.push(await this.csv.loadFile(table, fileName, file.stream, session.loadOptions));
        } finally {
          // A run that stopped early leaves the rest of its file: read it, or the parser waits forever.
          file.stream.resume();
        }
      })
      .then(() => done(null, {}), done);
  }

  _removeFile(request: Request, file: File, done: (error: Error | null) => void): void {
    if (file.path) this.disk._removeFile(request, file, done);
    else done(null);
  }
}
