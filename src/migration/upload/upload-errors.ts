import { HttpException } from '@nestjs/common';
import multer from 'multer';
import { DomainError } from '../../common/errors/domain-error';
import type { MigrationRunEntity } from '../../database/entities/migration-run.entity';
import { toRunResponse } from '../run-mapper';
import { invalid } from './upload-session';

/** Files one request may carry; the upload is refused with 400 when one more begins. */
export const MAX_FILES_PER_REQUEST = 10;

export const NOT_A_FORM = 'Send the CSV files as multipart/form-data in a field named file';

/**
 * multer's and its parser's errors in the service's words (Nest's interceptor keeps the original
 * as the cause of its HTTP exception); any other error is left as it is.
 */
export function uploadError(error: unknown): unknown {
  const cause = error instanceof HttpException && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof multer.MulterError) {
    switch (cause.code) {
      case 'LIMIT_FILE_COUNT':
        return invalid(`Too many files in one request: send at most ${MAX_FILES_PER_REQUEST} files per request`);
      case 'LIMIT_FIELD_COUNT':
        return invalid('Too many form fields');
      case 'LIMIT_PART_COUNT':
        return invalid('Too many parts in the form');
      case 'LIMIT_FIELD_VALUE':
        return invalid(`The form field ${(cause.field ?? '').slice(0, 40)} is too long`);
      default:
        return invalid('The multipart/form-data body is malformed');
    }
  }
  if (cause instanceof DomainError || !(cause instanceof Error)) return error;
  switch (cause.message) {
    case 'Multipart: Boundary not found':
      return new DomainError(
        'MIGRATION_NO_FILE',
        'The multipart/form-data body has no boundary; send the files with a form',
      );
    case 'Unexpected end of form':
    case 'Unexpected end of file':
      return invalid('The multipart/form-data body ends before its closing boundary');
    case 'Malformed part header':
      return invalid('The multipart/form-data body is malformed');
    case 'Request aborted':
    case 'Request closed':
      return invalid('The upload was interrupted before its end');
  }
  if (cause.message.startsWith('Unsupported content type')) return new DomainError('MIGRATION_NO_FILE', NOT_A_FORM);
  return error;
}

/** A refusal after some files were loaded says so, with their runs. */
export function withLoadedRuns(error: unknown, runs: MigrationRunEntity[]): unknown {
  if (!(error instanceof DomainError) || runs.length === 0) return error;
  return new DomainError(error.code, `${error.message} (the files before it were loaded: see runs)`, {
    ...error.details,
    runs: runs.map(toRunResponse),
  });
}
