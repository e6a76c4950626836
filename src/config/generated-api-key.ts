import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseConfig } from './app-config';

/** The key of `.env.example`: a service started with it would answer to a key that is public. */
export const EXAMPLE_API_KEY = 'change-me-to-a-long-random-key';

/** The file name of the generated key, in the data folder. */
export const API_KEY_FILE_NAME = 'api-key';

/** A key made when API_KEY is unset, and the file that keeps it from one start to the next. */
export interface GeneratedApiKey {
  key: string;
  file: string;
  /** True when this start made the key; false when it was read from the file. */
  created: boolean;
}

/** The data folder: the SQLite file's folder, else `data` in the working folder (MySQL, in-memory SQLite). */
export function dataFolderOf(database: DatabaseConfig): string {
  if (database.type === 'sqlite' && database.path !== ':memory:') return dirname(database.path);
  return 'data';
}

/**
 * Reads the key kept in `<folder>/api-key`, or makes one and keeps it there, readable by its owner
 * only (0600): a restart keeps the key a user was given. The file is created exclusively, so two
 * processes starting at once end up with the same key.
 */
export function keepGeneratedApiKey(folder: string): GeneratedApiKey {
  const file = join(folder, API_KEY_FILE_NAME);
  const kept = readKey(file);
  if (kept !== null) return { key: kept, file, created: false };
  mkdirSync(folder, { recursive: true });
  const key = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readKey(file);
    if (other !== null) return { key: other, file, created: false };
    throw error;
  }
  return { key, file, created: true };
}

/** The kept key, or null when there is no file; a file too short to be a key is a configuration error. */
function readKey(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = text.trim();
  if (key.length < 16) {
    throw new GeneratedKeyError(`${file} must hold a key of at least 16 characters; delete it to have a new one made`);
  }
  return key;
}

export class GeneratedKeyError extends Error {}
