import { Injectable } from '@nestjs/common';
import { DataChangeService } from '../database/data-change.service';
import type { DepartmentAboveMeanResponseDto, HiresByQuarterRowResponseDto } from './dto/report-response.dto';
import { ReportCache } from './report-cache';
import { yearRange } from './report-year';
import { ReportsRepository } from './reports.repository';

/** Other replicas write too and this process does not hear of their writes, so answers also expire. */
export const REPORT_CACHE_TTL_MS = 30_000;

/** The two hiring reports for a year, and the years that have hires, answered from a cache until the HR tables change. */
@Injectable()
export class ReportsService {
  private readonly cache: ReportCache;

  constructor(
    private readonly repository: ReportsRepository,
    dataChange: DataChangeService,
  ) {
    this.cache = new ReportCache(() => dataChange.version, REPORT_CACHE_TTL_MS);
  }

  hiresByQuarter(year: number): Promise<HiresByQuarterRowResponseDto[]> {
    const range = yearRange(year);
    return this.cache.get(`hires-by-quarter:${year}`, () => this.repository.countHiresByQuarter(range));
  }

  departmentsAboveMean(year: number): Promise<DepartmentAboveMeanResponseDto[]> {
    const range = yearRange(year);
    return this.cache.get(`departments-above-mean:${year}`, () => this.repository.findDepartmentsAboveMean(range));
  }

  yearsWithHires(): Promise<number[]> {
    return this.cache.get('years', () => this.repository.listYearsWithHires());
  }
}
