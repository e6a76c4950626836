import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MigrationRunEntity } from './migration-run.entity';

/** The reject log: one rejected batch (or the rejected rows of one batch) of a run. */
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

  /** JSON: the raw rows as they came, `[{ line, values }]`. */
  @Column({ name: 'raw_rows', type: 'text' })
  rawRows!: string;

  /** JSON: each row's text as it was sent (string, or null when not kept), in the order of `rawRows`. */
  @Column({ name: 'raw_text', type: 'text', nullable: true })
  rawText!: string | null;

  /** JSON: `[{ line, field, value, reason }]`. */
  @Column({ type: 'text' })
  errors!: string;
}
