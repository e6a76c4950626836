import { CSV_DELIMITERS, type CsvRow } from './csv-tokenizer';

export type HeaderReading = { ok: true; names: string[]; trailing: number } | { ok: false; problem: string };

/** The columns `rejects.csv?reasons=true` adds after the table's: a header that ends with them is read without them. */
export const REASON_COLUMNS = ['line', 'field', 'reason'] as const;

const LISTED_NAMES = 5;

/**
 * Reads a line as a header: its trimmed fields, in any case, must be the table's column names,
 * each once, in any order, perhaps followed by the REASON_COLUMNS (`trailing` counts them). `names` are the column names in the line's order; otherwise `problem`
 * says which columns are missing, repeated or unknown, and what the columns are.
 */
export function readHeader(row: CsvRow, table: string, columns: readonly string[]): HeaderReading {
  const expected = `the columns of ${table} are ${columns.join(', ')}`;
  if (row.malformed !== undefined)
    return { ok: false, problem: `The header cannot be read (${row.malformed}); ${expected}` };
  const trimmed = row.values.map((v) => v.trim());
  const names = trimmed.map((v) => v.toLowerCase());
  if (row.columns === columns.length && isColumnSet(names, columns)) return { ok: true, names, trailing: 0 };
  const trailing = REASON_COLUMNS.length;
  if (
    row.columns === columns.length + trailing &&
    names.slice(-trailing).join() === REASON_COLUMNS.join() &&
    isColumnSet(names.slice(0, -trailing), columns)
  ) {
    return { ok: true, names: names.slice(0, -trailing), trailing };
  }
  // A header sent with the wrong delimiter is a single field: say which delimiter it has.
  const other = row.columns === 1 ? otherDelimiter(names[0], columns) : undefined;
  if (other !== undefined) {
    const [named, field] = other === '\t' ? ['tabs', 'tab'] : [`'${other}'`, `'${other}'`];
    return { ok: false, problem: `The header is separated by ${named}: send delimiter=${field} (${expected})` };
  }
  const missing = columns.filter((c) => !names.includes(c));
  const repeated = columns.filter((c) => names.indexOf(c) !== names.lastIndexOf(c));
  const unknown = trimmed.filter((_, i) => !columns.includes(names[i]));
  // Fields beyond the kept ones are unknown columns too.
  const unseen = row.columns - row.values.length;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`lacks ${listed(missing)}`);
  if (repeated.length > 0) parts.push(`names ${listed(repeated)} more than once`);
  if (unknown.length + unseen > 0) {
    const plural = unknown.length + unseen > 1 ? 's' : '';
    parts.push(`names unknown column${plural} ${listed(unknown.map(shown), unseen)}`);
  }
  return { ok: false, problem: `The header ${listed(parts)}; ${expected}` };
}

function isColumnSet(names: string[], columns: readonly string[]): boolean {
  return (
    names.length === columns.length && new Set(names).size === names.length && names.every((n) => columns.includes(n))
  );
}

function otherDelimiter(line: string, columns: readonly string[]): string | undefined {
  return CSV_DELIMITERS.find((d) =>
    isColumnSet(
      line.split(d).map((n) => n.trim()),
      columns,
    ),
  );
}

/** `a`, `a and b`, `a, b and c`; past a few names, `a, b, c, d, e and 7 more`. */
function listed(items: string[], more = 0): string {
  const kept = items.slice(0, LISTED_NAMES);
  const rest = items.length - kept.length + more;
  if (rest > 0) kept.push(`${rest} more`);
  return kept.length > 1 ? `${kept.slice(0, -1).join(', ')} and ${kept[kept.length - 1]}` : kept[0];
}

/** A name as a person reads it in a reason: plain when it looks like a column name, else quoted and short. */
function shown(name: string): string {
  return /^[\p{L}\p{N}_ .-]{1,40}$/u.test(name) ? name : JSON.stringify(name.slice(0, 40));
}
