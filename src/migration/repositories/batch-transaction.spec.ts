import { describeDatabaseError, isTransientDatabaseError } from './batch-transaction';
import { CommitOutcomeUnknownError, isConnectionError, isUnsentStatementError } from '../../database/database-errors';

const wrapped = (driverError: object) =>
  Object.assign(new Error('query failed: INSERT INTO secret_table ...'), { driverError });

describe('isTransientDatabaseError', () => {
  it.each([
    ['a MySQL deadlock', wrapped({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }), true],
    ['a MySQL lock wait timeout', wrapped({ errno: 1205 }), true],
    ['a busy SQLite database', wrapped({ code: 'SQLITE_BUSY' }), true],
    ['a foreign key violation', wrapped({ errno: 1452 }), false],
    ['an error that is not from the database', new Error('boom'), false],
  ])('should tell whether to retry when the error is %s', (_name, error, transient) => {
    expect(isTransientDatabaseError(error)).toBe(transient);
  });
});

describe('describeDatabaseError', () => {
  it('should name the broken reference without SQL when a foreign key fails', () => {
    expect(describeDatabaseError(wrapped({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }))).toBe(
      'the database refused the batch: a referenced department or job does not exist',
    );
  });

  it('should give only a safe code when the error is anything else', () => {
    const reason = describeDatabaseError(
      wrapped({ errno: 1406, code: 'ER_DATA_TOO_LONG', sqlMessage: 'Data too long' }),
    );
    expect(reason).toBe('the database refused the batch (ER_DATA_TOO_LONG)');
    expect(describeDatabaseError(wrapped({ code: "'; DROP TABLE x; --" }))).toBe('the database refused the batch');
  });
});

describe('lost connections', () => {
  it.each([
    ['a lost connection', wrapped({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), true],
    ['a refused connection', { code: 'ECONNREFUSED', errno: -111 }, true],
    ['a server shutting down', wrapped({ errno: 1053, code: 'ER_SERVER_SHUTDOWN' }), true],
    ['a server gone away', wrapped({ errno: 2006 }), true],
    ['a killed connection', wrapped({ errno: 1927, code: 'ER_CONNECTION_KILLED' }), true],
    ['a command on a closed connection', new Error("Can't add new command when connection is in closed state"), true],
    ['a deadlock', wrapped({ errno: 1213 }), false],
    ['a foreign key violation', wrapped({ errno: 1452 }), false],
  ])('should tell whether the connection was lost when the error is %s', (_name, error, lost) => {
    expect(isConnectionError(error)).toBe(lost);
  });

  it('should count a COMMIT the driver never sent as unsent and one that was cut as unknown', () => {
    expect(isUnsentStatementError(new Error("Can't add new command when connection is in closed state"))).toBe(true);
    expect(isUnsentStatementError(wrapped({ code: 'PROTOCOL_CONNECTION_LOST' }))).toBe(false);
    expect(isConnectionError(new CommitOutcomeUnknownError(new Error('lost')))).toBe(true);
  });
});
