/** What the drivers put on their errors; TypeORM wraps them in `driverError`. */
interface DriverError {
  errno?: number;
  /** mysql2's and better-sqlite3's names, or PostgreSQL's SQLSTATE. */
  code?: string;
  fatal?: boolean;
  message?: string;
  /** Set by pg on every error the PostgreSQL server sent. */
  severity?: string;
}

// Deadlock, lock wait timeout.
const LOCK_ERRNOS = new Set([1213, 1205]);
// PostgreSQL: deadlock_detected, lock_not_available, serialization_failure.
const LOCK_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  '40P01',
  '55P03',
  '40001',
]);

// Server shutting down, too many connections, gone away, lost during query, connection killed.
const CONNECTION_ERRNOS = new Set([1053, 1040, 2006, 2013, 1927]);
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
  // PostgreSQL: connection exceptions, too many connections, admin shutdown, crash shutdown, starting up.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);

export function driverError(error: unknown): DriverError {
  if (typeof error !== 'object' || error === null) return {};
  const inner = (error as { driverError?: unknown }).driverError;
  return (typeof inner === 'object' && inner !== null ? inner : error) as DriverError;
}

/** A deadlock or a lock timeout: the same transaction, run again, should succeed. */
export function isLockError(error: unknown): boolean {
  const { errno, code } = driverError(error);
  return (errno !== undefined && LOCK_ERRNOS.has(errno)) || (code !== undefined && LOCK_CODES.has(code));
}

/**
 * The connection to the database broke or could not be made (server restarting, network cut,
 * connection killed). The server rolls back what the connection had not committed.
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError || error instanceof CommitOutcomeUnknownError) return true;
  const { errno, code, fatal, message } = driverError(error);
  return (
    (errno !== undefined && CONNECTION_ERRNOS.has(errno)) ||
    (code !== undefined && CONNECTION_CODES.has(code)) ||
    fatal === true ||
    (typeof message === 'string' &&
      /connection is in closed state|Pool is closed|Connection terminated|not queryable/i.test(message))
  );
}

/** What kind of database error this is, for the metrics; null for an error that is not the database's. */
export function databaseErrorKind(error: unknown): 'lock' | 'connection' | 'other' | null {
  if (isLockError(error)) return 'lock';
  if (isConnectionError(error)) return 'connection';
  const { errno, code, severity } = driverError(error);
  return errno !== undefined || severity !== undefined || (typeof code === 'string' && /^(ER_|SQLITE_)/.test(code))
    ? 'other'
    : null;
}

/** A row with the same key is already there (MySQL 1062, SQLite's primary key or unique constraint, PostgreSQL 23505). */
export function isDuplicateKeyError(error: unknown): boolean {
  const { errno, code } = driverError(error);
  return (
    errno === 1062 ||
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === '23505'
  );
}

/** A row points at a row that does not exist (MySQL 1452, SQLite's foreign key, PostgreSQL 23503). */
export function isForeignKeyError(error: unknown): boolean {
  const { errno, code } = driverError(error);
  return errno === 1452 || code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * The driver refused to send the statement because the connection had already closed: the server
 * never saw it (mysql2 fails commands added to a closed connection with this message).
 */
export function isUnsentStatementError(error: unknown): boolean {
  const { message } = driverError(error);
  return typeof message === 'string' && /connection is in closed state/i.test(message);
}

/** The database did not answer within the retry budget. */
export class DatabaseUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the database did not answer: ${String(cause)}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * The connection broke while COMMIT was on its way and whether the transaction committed could not
 * be found out, so it must not be run again blindly.
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the connection was lost during COMMIT: ${String(cause)}`);
    this.name = 'CommitOutcomeUnknownError';
  }
}
