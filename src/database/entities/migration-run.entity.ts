import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** MySQL hands BIGINT back as a string; file sizes fit a double exactly. */
const BIGINT_AS_NUMBER = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export type RunStatus = 'running' | 'completed' | 'failed';
export type RejectMode = 'batch' | 'row';

/** One migration run: the load of one file (or one JSON batch) into one table, and its summary. */
@Entity({ name: 'migration_runs' })
@Index('idx_migration_runs_started_at', ['startedAt'])
export class MigrationRunEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;

  @Column({ name: 'table_name', type: 'varchar', length: 32 })
  tableName!: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true })
  fileName!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: RunStatus;

  @Column({ name: 'batch_size', type: 'int' })
  batchSize!: number;

  @Column({ name: 'reject_mode', type: 'varchar', length: 8 })
  rejectMode!: RejectMode;

  /** A dry run applies every rule and records its counts and rejects, but writes no row. */
  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun!: boolean;

  /** The file's header line as it was sent, when it had one: the first line of its rows to fix. */
  @Column({ name: 'header_text', type: 'text', nullable: true })
  headerText!: string | null;

  /** The file's field delimiter (null for a JSON batch). */
  @Column({ type: 'varchar', length: 1, nullable: true })
  delimiter!: string | null;

  @Column({ name: 'header_skipped', type: 'boolean', default: false })
  headerSkipped!: boolean;

  @Column({ name: 'rows_read', type: 'int', default: 0 })
  rowsRead!: number;

  @Column({ name: 'rows_inserted', type: 'int', default: 0 })
  rowsInserted!: number;

  @Column({ name: 'rows_rejected', type: 'int', default: 0 })
  rowsRejected!: number;

  @Column({ name: 'batches_total', type: 'int', default: 0 })
  batchesTotal!: number;

  @Column({ name: 'batches_committed', type: 'int', default: 0 })
  batchesCommitted!: number;

  @Column({ name: 'batches_rejected', type: 'int', default: 0 })
  batchesRejected!: number;

  /** Why a run failed, in words for a person (never SQL). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: Date, precision: 3 })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: Date, precision: 3, nullable: true })
  finishedAt!: Date | null;

  /** Set when the run starts and with every batch; a run that stops beating was interrupted. */
  @Column({ name: 'heartbeat_at', type: Date, precision: 3, nullable: true })
  heartbeatAt!: Date | null;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs!: number | null;

  /** Bytes of the file read so far (a file run's progress); the size, when known, in `bytesTotal`. */
  @Column({ name: 'bytes_read', type: 'bigint', default: 0, transformer: BIGINT_AS_NUMBER })
  bytesRead!: number;

  /** The file's size when it was known before the load (spooled uploads); null when streamed. */
  @Column({ name: 'bytes_total', type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  bytesTotal!: number | null;
}
