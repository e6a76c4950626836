import type { Request, Response } from 'express';
import { writeToString } from 'fast-csv';
import type { ReportFormat } from './dto/get-report-query.dto';
import { neutralizeFormula } from '../common/text/spreadsheet-cell';

export const CSV_MEDIA_TYPE = 'text/csv';

export interface CsvLayout<T> {
  headers: (keyof T & string)[];
  fileName: string;
}

/**
 * Content negotiation for a report: `?format=` wins, then the Accept header (JSON when both are
 * acceptable). Returns the rows for JSON, or sets the CSV headers and returns the CSV text.
 */
export async function negotiateReport<T extends object>(
  request: Request,
  response: Response,
  format: ReportFormat | undefined,
  rows: T[],
  csv: CsvLayout<T>,
): Promise<T[] | string> {
  response.vary('Accept');
  const asCsv = format ? format === 'csv' : request.accepts(['application/json', CSV_MEDIA_TYPE]) === CSV_MEDIA_TYPE;
  if (!asCsv) return rows;
  // The names are ours (report and year), so quoting them is safe; Express would leave the quotes out.
  response.setHeader('Content-Type', `${CSV_MEDIA_TYPE}; charset=utf-8`);
  response.setHeader('Content-Disposition', `attachment; filename="${csv.fileName}"`);
  return toCsv(rows, csv.headers);
}

/**
 * A header row, then one line per row; fields are quoted when they need it (RFC 4180), and text
 * cells that would start a formula are neutralized. Numbers are ours (counts, ids) and stay as they are.
 */
export function toCsv<T extends object>(rows: T[], headers: (keyof T & string)[]): Promise<string> {
  const cells = rows.map((row) =>
    Object.fromEntries(
      headers.map((header) => {
        const value: unknown = row[header];
        return [header, typeof value === 'string' ? neutralizeFormula(value) : value];
      }),
    ),
  );
  return writeToString(cells, {
    headers,
    alwaysWriteHeaders: true,
    rowDelimiter: '\r\n',
    includeEndRowDelimiter: true,
  });
}
