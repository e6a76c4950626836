/** A cell that a spreadsheet would run as a formula: it begins with = + - @, a tab or a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A formula character after a separator (`,`, `;`, `|`, tab) or a line end: a spreadsheet whose
 * locale splits on that separator, or a reader that takes the line end as a row's end, would start
 * a new cell there, and run it.
 */
const FORMULA_AFTER_SEPARATOR = /([,;|\t\r\n])(?=[=+\-@])/g;

/**
 * OWASP's rule for CSV injection: a cell that would start a formula is prefixed with `'`, which
 * spreadsheets read as "text"; so is each formula character that follows a separator inside it.
 */
export function neutralizeFormula(cell: string): string {
  const inner = cell.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return FORMULA_START.test(inner) ? `'${inner}` : inner;
}

/**
 * Where a cell of a CSV line may begin (the line's start, a separator, a line end or an opening
 * quote) followed by what would start a formula there, a tab or a carriage return included.
 */
const FORMULA_IN_LINE = /(^|[,;|\t\r\n"])(?=[=+\-@\t\r])/g;

/**
 * A whole CSV line as it was sent, its cells neutralized without parsing it: a `'` goes before
 * every formula character that may begin a cell (or, as above, follow a separator inside one).
 * `'` means nothing to CSV, so the line keeps its cells and quoting.
 */
export function neutralizeFormulaLine(line: string): string {
  return line.replace(FORMULA_IN_LINE, "$1'");
}
