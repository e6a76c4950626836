import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MigrationRunEntity } from './migration-run.entity';

/**
 * The reject log: one rejected batch (or the rejected rows of one batch) of a run. Its rows are in
 * `rejected_rows`, keyed by run, batch number and row number, consecutive rows sharing an entry
 * (`src/migration/repositories/reject-log-entries.ts`), so that a page reads only its own entries.
 */
@Entity({ name: 'rejected_batches' })
@Index('idx_rejected_batches_run', ['runId', 'batchNo'])
export class RejectedBatchEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;

  @Column({ name: 'run_id', type: 'int' })
  runId!: number;

  @ManyToOne(() => MigrationRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_rejected_batches_run' })
  run?: MigrationRunEntity;

  /** 1-based number of the batch within its run. */
  @Column({ name: 'batch_no', type: 'int' })
  batchNo!: number;

  @Column({ name: 'first_line', type: 'int' })
  firstLine!: number;

  @Column({ name: 'last_line', type: 'int' })
  lastLine!: number;

  /** How many rows of the batch are in `rejected_rows`. */
  @Column({ name: 'row_count', type: 'int', default: 0 })
  rowCount!: number;

  /** Empty (`[]`) since the rows have their own table; kept for the schema's history. */
  @Column({ name: 'raw_rows', type: 'text' })
  rawRows!: string;

  /** Null since the rows have their own table. */
  @Column({ name: 'raw_text', type: 'text', nullable: true })
  rawText!: string | null;

  /** JSON: `[{ line, field, value, reason }]`, the reasons that belong to none of the batch's rows. */
  @Column({ type: 'text' })
  errors!: string;
}
