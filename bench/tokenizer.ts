/**
 * Micro-benchmark of the CSV tokenizer alone: 1M generated employee lines (CRLF, a few quoted
 * names), cut into 64 KB chunks as a file stream would deliver them, tokenized with `,` and `;`.
 * Prints rows/s (best and median of BENCH_REPEAT runs) by wall-clock time and by the process's CPU
 * time, which a busy machine disturbs less. Run with
 *   node -r @swc-node/register bench/tokenizer.ts [other/csv-tokenizer.ts ...]
 * Other tokenizer modules (an older version, say) are measured in turn with this one, to compare.
 *   BENCH_ROWS=1000000  BENCH_REPEAT=5
 */
import { resolve } from 'node:path';

interface Tokenizer {
  push(chunk: string): { columns: number }[];
  end(): { columns: number }[];
}
type TokenizerClass = new (keptColumns?: number, delimiter?: string) => Tokenizer;

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const CHUNK_CHARS = 64 * 1024;
const NAMES = ['Ana Smith', 'Luis Garcia', 'María Nguyen', 'John Kumar', 'Wei Müller', 'Olga Rossi', 'Ravi Silva'];

/** Employee lines like the real file's, with one name in ten quoted and holding the delimiter. */
function generate(rows: number, delimiter: string): string[] {
  const lines: string[] = [];
  for (let id = 1; id <= rows; id++) {
    const plain = NAMES[id % NAMES.length];
    const name = id % 10 === 0 ? `"${plain.replace(' ', `${delimiter} `)}"` : plain;
    const day = String((id % 28) + 1).padStart(2, '0');
    lines.push([id, name, `2021-07-${day}T16:02:08Z`, (id % 12) + 1, (id % 183) + 1].join(delimiter));
  }
  const text = lines.join('\r\n');
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK_CHARS) chunks.push(text.slice(i, i + CHUNK_CHARS));
  return chunks;
}

function tokenize(Tokenizer: TokenizerClass, chunks: string[], delimiter: string): { rows: number; wide: boolean } {
  const tokenizer = new Tokenizer(6, delimiter);
  let rows = 0;
  let wide = true;
  for (const chunk of chunks) {
    const out = tokenizer.push(chunk);
    rows += out.length;
    if (out.length > 0 && out[0].columns !== 5) wide = false;
  }
  rows += tokenizer.end().length;
  return { rows, wide };
}

/** Best and median: on a shared machine the best run is the least disturbed one. */
function summary(rates: number[]): string {
  const round = (n: number) => Math.round(n).toLocaleString('en-US');
  return `${round(Math.max(...rates))} best / ${round([...rates].sort((a, b) => a - b)[rates.length >> 1])} median`;
}

interface Subject {
  label: string;
  Tokenizer: TokenizerClass;
  rates: number[];
  cpuRates: number[];
  split: boolean;
}

async function main(): Promise<void> {
  const paths = [`${__dirname}/../src/migration/csv/csv-tokenizer.ts`, ...process.argv.slice(2)].map((p) => resolve(p));
  for (const delimiter of [',', ';']) {
    const chunks = generate(ROWS, delimiter);
    const subjects: Subject[] = [];
    for (const [i, path] of paths.entries()) {
      const { CsvTokenizer } = (await import(path)) as { CsvTokenizer: TokenizerClass };
      subjects.push({
        label: i === 0 ? 'this tokenizer' : path,
        Tokenizer: CsvTokenizer,
        rates: [],
        cpuRates: [],
        split: true,
      });
    }
    // Runs alternate between the tokenizers so that a busy machine weighs on each alike.
    for (let i = 0; i < REPEAT; i++) {
      for (const subject of subjects) {
        const start = process.hrtime.bigint();
        const cpu = process.cpuUsage();
        const result = tokenize(subject.Tokenizer, chunks, delimiter);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const used = process.cpuUsage(cpu);
        if (result.rows !== ROWS) throw new Error(`read ${result.rows} rows, expected ${ROWS}`);
        subject.split &&= result.wide;
        subject.rates.push(ROWS / seconds);
        subject.cpuRates.push(ROWS / ((used.user + used.system) / 1e6));
      }
    }
    for (const { label, rates, cpuRates, split } of subjects) {
      const note = split ? '' : ' (rows not split into fields: this tokenizer does not know the delimiter)';
      console.log(
        `${JSON.stringify(delimiter)} ${label}: ${summary(rates)} rows/s of wall time, ${summary(cpuRates)} rows/s of CPU time${note}`,
      );
    }
  }
}

void main();
