import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareNames } from '../common/name-order';
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
 * MySQL returns SUM as DECIMAL (a string in mysql2), so counts are coerced. Rows are ordered here,
 * by compareNames, so that every engine gives the same order.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly reads: ReadDatabase) {}

  async countHiresByQuarter(range: YearRange): Promise<HiresByQuarterRowResponseDto[]> {
    const rows: Record<string, unknown>[] = await this.reads.dataSource.query(
      SQL.hiresByQuarter,
      range.quarters.flat(),
    );
    const pairs = rows.map((row) => ({
      departmentId: Number(row.department_id),
      jobId: Number(row.job_id),
      report: {
        department: String(row.department),
        job: String(row.job),
        Q1: Number(row.Q1),
        Q2: Number(row.Q2),
        Q3: Number(row.Q3),
        Q4: Number(row.Q4),
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
    const rows: Record<string, unknown>[] = await this.reads.dataSource.query(SQL.departmentsAboveMean, [
      range.start,
      range.end,
    ]);
    return rows
      .map((row) => ({ id: Number(row.id), department: String(row.department), hired: Number(row.hired) }))
      .sort((a, b) => b.hired - a.hired || compareNames(a.department, b.department) || a.id - b.id);
  }

  async listYearsWithHires(): Promise<number[]> {
    const rows: { year: unknown }[] = await this.reads.dataSource.query(SQL.yearsWithHires);
    return rows.map((row) => Number(row.year)).sort((a, b) => a - b);
  }
}
