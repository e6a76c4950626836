import { describeDatabaseError, isTransientDatabaseError } from './batch-transaction';

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
