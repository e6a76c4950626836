/** The three tables of the HR data, in dependency order (a table only references earlier ones). */
export const TABLE_NAMES = ['departments', 'jobs', 'hired_employees'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export type ColumnKind = 'id' | 'string' | 'datetime' | 'reference';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** For `reference` columns: the table the value must exist in. */
  references?: TableName;
}

/** The columns of each table, in the order of the source CSV files. */
export const TABLE_COLUMNS: Record<TableName, readonly ColumnSpec[]> = {
  departments: [
    { name: 'id', kind: 'id' },
    { name: 'department', kind: 'string' },
  ],
  jobs: [
    { name: 'id', kind: 'id' },
    { name: 'job', kind: 'string' },
  ],
  hired_employees: [
    { name: 'id', kind: 'id' },
    { name: 'name', kind: 'string' },
    { name: 'datetime', kind: 'datetime' },
    { name: 'department_id', kind: 'reference', references: 'departments' },
    { name: 'job_id', kind: 'reference', references: 'jobs' },
  ],
};

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && (TABLE_NAMES as readonly string[]).includes(value);
}
