import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export const DEPARTMENTS = 12;
export const JOBS = 183;

/** mulberry32: a small deterministic PRNG, so every run of the benchmark loads the same rows. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ana', 'Luis', 'Maria', 'John', 'Wei', 'Fatima', 'Olga', 'Ravi', 'Chen', 'Sofia', 'Omar', 'Eva'];
const LAST = ['Smith', 'Garcia', 'Nguyen', 'Kumar', 'Müller', 'Rossi', 'Silva', 'Kim', 'Novak', 'Haddad'];

export interface GeneratedFiles {
  departments: string;
  jobs: string;
  employees: string;
  /** The same employees less the defective rows, for LOAD DATA. */
  validEmployees: string;
  validRows: number;
}

/** Writes the three CSV files (headerless, CRLF, no final newline) with about 3% defective rows. */
export async function generateData(dir: string, rows: number): Promise<GeneratedFiles> {
  mkdirSync(dir, { recursive: true });
  const files: GeneratedFiles = {
    departments: join(dir, 'departments.csv'),
    jobs: join(dir, 'jobs.csv'),
    employees: join(dir, `hired_employees-${rows}.csv`),
    validEmployees: join(dir, `hired_employees-${rows}-valid.csv`),
    validRows: 0,
  };
  const marker = join(dir, `hired_employees-${rows}.count`);
  writeFileSync(
    files.departments,
    Array.from({ length: DEPARTMENTS }, (_, i) => `${i + 1},Department ${i + 1}`).join('\r\n'),
  );
  writeFileSync(files.jobs, Array.from({ length: JOBS }, (_, i) => `${i + 1},Job title ${i + 1}`).join('\r\n'));
  if (existsSync(files.employees) && existsSync(marker)) {
    files.validRows = Number((await import('node:fs')).readFileSync(marker, 'utf8'));
    return files;
  }
  const random = prng(20211);
  const all = createWriteStream(files.employees);
  const valid = createWriteStream(files.validEmployees);
  const start = Date.UTC(2019, 0, 1);
  const span = Date.UTC(2023, 0, 1) - start;
  for (let id = 1; id <= rows; id++) {
    const name = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
    // Whole seconds, like the original files (2021-07-27T16:02:08Z).
    const when = new Date(start + Math.floor(random() * (span / 1000)) * 1000).toISOString().replace('.000Z', 'Z');
    const department = 1 + Math.floor(random() * DEPARTMENTS);
    const job = 1 + Math.floor(random() * JOBS);
    let line = `${id},${name},${when},${department},${job}`;
    let ok = true;
    const defect = random();
    if (defect < 0.03) {
      ok = false;
      const kind = Math.floor((defect / 0.03) * 5);
      if (kind === 0) line = `${id},${name},${when},,${job}`;
      else if (kind === 1) line = `${id},${name},,${department},${job}`;
      else if (kind === 2) line = `${id},${name},2021-02-30T10:00:00Z,${department},${job}`;
      else if (kind === 3) line = `${id},${name},${when},${DEPARTMENTS + 7},${job}`;
      else line = `${id},,${when},${department},${job}`;
    }
    const sep = id === 1 ? '' : '\r\n';
    if (!all.write(sep + line)) await once(all, 'drain');
    if (ok) {
      if (!valid.write((files.validRows === 0 ? '' : '\r\n') + line)) await once(valid, 'drain');
      files.validRows += 1;
    }
  }
  all.end();
  valid.end();
  await Promise.all([once(all, 'finish'), once(valid, 'finish')]);
  writeFileSync(marker, String(files.validRows));
  return files;
}
