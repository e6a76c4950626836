import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareNames } from '../common/name-order';
import { Dialect } from '../database/dialect';
import { ReadDatabase } from '../database/read-database';
import type { DepartmentAboveMeanResponseDto, HiresByQuarterRowResponseDto } from './dto/report-response.dto';
import type { YearRange } from './report-year';

/** The report SQL, read once when the module loads; nest-cli copies the .sql files beside the build. */
const SQL = {
  hiresByQuarter: readSql('hires-by-quarter.sql'),
  departmentsAboveMean: readSql('departments-above-mean.sql'),
  yearsWithHires: readSql('years-with-hires.sql'),
};

function readSql(file: string): string {
  return readFileSync(join(__dirname, 'sql', file), 'utf8');
}

/**
 * Runs the report queries on the read connection, so a report never counts uncommitted rows.
 * MySQL and PostgreSQL return SUM and COUNT as DECIMAL or BIGINT (strings in their drivers), so
 * counts are coerced; names of columns are lower case, as PostgreSQL folds them. Rows are ordered here,
 * by compareNames, so that every engine gives the same order.
 */
@Injectable()
export class ReportsRepository {
  constructor(
    private readonly reads: ReadDatabase,
    private readonly dialect: Dialect,
  ) {}

  async countHiresByQuarter(range: YearRange): Promise<HiresByQuarterRowResponseDto[]> {
    const rows: Record<string, unknown>[] = await this.reads.dataSource.query(
      this.dialect.sql(SQL.hiresByQuarter),
      range.quarters.flat(),
    );
    const pairs = rows.map((row) => ({
      departmentId: Number(row.department_id),
      jobId: Number(row.job_id),
      report: {
        department: String(row.department),
        job: String(row.job),
        Q1: Number(row.q1),
        Q2: Number(row.q2),
        Q3: Number(row.q3),
        Q4: Number(row.q4),
      },
    }));
    // By department, then job; ids part namesakes, so that each department's rows stay together.
    pairs.sort(
      (a, b) =>
        compareNames(a.report.department, b.report.department) ||
        a.departmentId - b.departmentId ||
        compareNames(a.report.job, b.report.job) ||
        a.jobId - b.jobId,
    );
    return pairs.map((pair) => pair.report);
  }

  async findDepartmentsAboveMean(range: YearRange): Promise<DepartmentAboveMeanResponseDto[]> {
    const rows: Record<string, unknown>[] = await this.reads.dataSource.query(
      this.dialect.sql(SQL.departmentsAboveMean),
      [range.start, range.end],
    );
    return rows
      .map((row) => ({ id: Number(row.id), department: String(row.department), hired: Number(row.hired) }))
      .sort((a, b) => b.hired - a.hired || compareNames(a.department, b.department) || a.id - b.id);
  }

  async listYearsWithHires(): Promise<number[]> {
    const rows: { year: unknown }[] = await this.reads.dataSource.query(
      SQL.yearsWithHires.replace('YEAR_OF(datetime)', this.dialect.yearOf('datetime')),
    );
    return rows.map((row) => Number(row.year)).sort((a, b) => a - b);
  }
}
