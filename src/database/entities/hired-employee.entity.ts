import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DepartmentEntity } from './department.entity';
import { JobEntity } from './job.entity';

@Entity({ name: 'hired_employees' })
@Index('idx_hired_employees_datetime', ['datetime', 'departmentId', 'jobId'])
export class HiredEmployeeEntity {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** Stored in UTC with milliseconds: DATETIME(3) on MySQL, TIMESTAMPTZ(3) on PostgreSQL, ISO text on SQLite. */
  @Column({ type: Date, precision: 3 })
  datetime!: Date;

  @Column({ name: 'department_id', type: 'int' })
  departmentId!: number;

  @Column({ name: 'job_id', type: 'int' })
  jobId!: number;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_hired_employees_department' })
  department?: DepartmentEntity;

  @ManyToOne(() => JobEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'fk_hired_employees_job' })
  job?: JobEntity;
}
