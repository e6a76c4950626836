import type { TableName } from '../../database/tables';
import { DepartmentRowDto } from './department-row.dto';
import { HiredEmployeeRowDto } from './hired-employee-row.dto';
import { JobRowDto } from './job-row.dto';

/** The row DTO of each table: the single readable statement of its rules. */
export const ROW_DTOS: Record<TableName, new () => object> = {
  departments: DepartmentRowDto,
  jobs: JobRowDto,
  hired_employees: HiredEmployeeRowDto,
};
