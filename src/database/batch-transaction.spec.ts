import type { DataSource, QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { Telemetry } from '../observability/telemetry.service';
import { BatchTransaction, describeDatabaseError } from './batch-transaction';
import {
  CommitOutcomeUnknownError,
  DatabaseUnavailableError,
  isConnectionError,
  isLockError,
  isUnsentStatementError,
} from './database-errors';
import { createDialect } from './dialect';

const wrapped = (driverError: object) =>
  Object.assign(new Error('query failed: INSERT INTO secret_table ...'), { driverError });

describe('isLockError', () => {
  it.each([
    ['a MySQL deadlock', wrapped({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }), true],
    ['a MySQL lock wait timeout', wrapped({ errno: 1205 }), true],
    ['a busy SQLite database', wrapped({ code: 'SQLITE_BUSY' }), true],
    ['a foreign key violation', wrapped({ errno: 1452 }), false],
    ['an error that is not from the database', new Error('boom'), false],
  ])('should tell whether to retry when the error is %s', (_name, error, transient) => {
    expect(isLockError(error)).toBe(transient);
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

describe('a COMMIT cut by a lost connection', () => {
  const lost = () => wrapped({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true });

  /** A MySQL-like data source whose first `cutCommits` COMMITs lose their connection. */
  function fakeDatabase(cutCommits: number, retryMs = 2000, commitError: () => unknown = lost) {
    const seen = { transactions: 0, commits: 0 };
    const runner = () => {
      let active = false;
      return {
        isTransactionActive: false,
        connect: async () => undefined,
        release: async () => undefined,
        startTransaction: async () => {
          active = true;
          seen.transactions++;
        },
        commitTransaction: async () => {
          if (!active) throw new Error('no transaction');
          active = false;
          if (seen.commits++ < cutCommits) throw commitError();
        },
        rollbackTransaction: async () => undefined,
      } as unknown as QueryRunner;
    };
    const dataSource = { options: { type: 'mysql' }, createQueryRunner: runner } as unknown as DataSource;
    const transaction = new BatchTransaction(dataSource, createDialect(dataSource), {
      databaseRetryMs: retryMs,
    } as AppConfig);
    return { transaction, seen };
  }

  it('should run a batch again, once committed, when a cluster aborts its COMMIT in certification several times', async () => {
    // A Galera node refuses a COMMIT that conflicts with another node's transaction: 1213, nothing committed.
    const certification = () => wrapped({ errno: 1213, code: 'ER_LOCK_DEADLOCK' });
    const { transaction, seen } = fakeDatabase(5, 2000, certification);
    const committed = jest.fn().mockResolvedValue(false);

    await expect(transaction.run(async () => 'written', committed)).resolves.toBe('written');
    expect(seen.transactions).toBe(6);
    expect(seen.commits).toBe(6);
    // A refused COMMIT did not commit: there is nothing to look up.
    expect(committed).not.toHaveBeenCalled();
  });

  it('should not run the batch again when the lookup finds it committed', async () => {
    const { transaction, seen } = fakeDatabase(1);
    const committed = jest.fn().mockResolvedValue(true);

    await expect(transaction.run(async () => 'written', committed)).resolves.toBe('written');
    expect(seen.transactions).toBe(1);
    expect(committed).toHaveBeenCalledTimes(1);
  });

  it('should run the batch again when the lookup finds it did not commit', async () => {
    const { transaction, seen } = fakeDatabase(1);
    const committed = jest.fn().mockResolvedValue(false);

    await expect(transaction.run(async () => 'written', committed)).resolves.toBe('written');
    expect(seen.transactions).toBe(2);
    expect(committed).toHaveBeenCalledTimes(1);
  });

  it('should keep looking up with backoff when the database does not answer at first', async () => {
    const { transaction, seen } = fakeDatabase(1);
    const committed = jest.fn().mockRejectedValueOnce(lost()).mockRejectedValueOnce(lost()).mockResolvedValue(true);

    await expect(transaction.run(async () => 'written', committed)).resolves.toBe('written');
    expect(seen.transactions).toBe(1);
    expect(committed).toHaveBeenCalledTimes(3);
  });

  it('should count a run again that breaks the key as committed when the lookup then finds the batch', async () => {
    const { transaction, seen } = fakeDatabase(1);
    const committed = jest.fn().mockResolvedValueOnce(false).mockResolvedValue(true);
    let runs = 0;
    const work = async () => {
      if (runs++ > 0) throw wrapped({ errno: 1062, code: 'ER_DUP_ENTRY' });
      return 'written';
    };

    await expect(transaction.run(work, committed)).resolves.toBe('written');
    expect(seen.transactions).toBe(2);
    expect(committed).toHaveBeenCalledTimes(2);
  });

  it('should give up as unavailable when the database stays away past the budget', async () => {
    const { transaction, seen } = fakeDatabase(1, 500);
    const committed = jest.fn().mockRejectedValue(lost());

    await expect(transaction.run(async () => 'written', committed)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(seen.transactions).toBe(1);
  });

  it('should say the outcome is unknown when the lookup fails for another reason', async () => {
    const { transaction } = fakeDatabase(1);
    const committed = jest.fn().mockRejectedValue(new Error('no such table'));

    await expect(transaction.run(async () => 'written', committed)).rejects.toBeInstanceOf(CommitOutcomeUnknownError);
  });

  it('should say the outcome is unknown when nothing can look it up', async () => {
    const { transaction, seen } = fakeDatabase(1);

    await expect(transaction.run(async () => 'written')).rejects.toBeInstanceOf(CommitOutcomeUnknownError);
    expect(seen.transactions).toBe(1);
  });
});

describe('database errors and retries in the metrics', () => {
  it('should count a deadlock and its retry, and a lasting lost connection with its retries', async () => {
    const metrics = new MetricsService();
    const dataSource = { options: { type: 'mysql' } } as unknown as DataSource;
    const transaction = new BatchTransaction(
      dataSource,
      createDialect(dataSource),
      { databaseRetryMs: 400 } as AppConfig,
      new Telemetry(metrics),
    );
    let calls = 0;
    const deadlockOnce = async () => {
      calls += 1;
      if (calls === 1) throw wrapped({ errno: 1213, code: 'ER_LOCK_DEADLOCK' });
      return 'done';
    };
    await expect(transaction.retrying(deadlockOnce)).resolves.toBe('done');
    const lost = async () => {
      throw wrapped({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    };
    await expect(transaction.retrying(lost)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    const text = await metrics.text();
    expect(text).toContain('hr_database_errors_total{kind="lock"} 1');
    expect(text).toContain('hr_database_retries_total{kind="lock"} 1');
    expect(text).toContain('hr_database_errors_total{kind="other"} 0');
    const retries = Number(/hr_database_retries_total\{kind="connection"\} (\d+)/.exec(text)?.[1]);
    const errors = Number(/hr_database_errors_total\{kind="connection"\} (\d+)/.exec(text)?.[1]);
    expect(retries).toBeGreaterThan(0);
    expect(errors).toBe(retries + 1);
  });
});
