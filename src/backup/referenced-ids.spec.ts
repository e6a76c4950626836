import type { TableRow } from './backup-records';
import { ReferencedIds } from './referenced-ids';

async function* batches(...list: TableRow[][]): AsyncGenerator<TableRow[]> {
  yield* list;
}

async function drain(references: ReferencedIds, ...list: TableRow[][]): Promise<TableRow[][]> {
  const out: TableRow[][] = [];
  for await (const batch of references.watch(batches(...list))) out.push(batch);
  return out;
}

const employee = (id: number, departmentId: number, jobId: number): TableRow => [id, `E${id}`, 0, departmentId, jobId];

describe('ReferencedIds', () => {
  it('should pass every batch on unchanged and note the distinct department and job ids', async () => {
    const references = new ReferencedIds();
    const first = [employee(1, 3, 7), employee(2, 3, 8)];
    const second = [employee(3, 1, 7)];

    expect(await drain(references, first, second)).toEqual([first, second]);
    expect(references.of('department_id')?.sort()).toEqual([1, 3]);
    expect(references.of('job_id')?.sort()).toEqual([7, 8]);
  });

  it('should give up noting, for both columns, when one holds more distinct ids than the limit', async () => {
    const references = new ReferencedIds(2);
    const rows = [employee(1, 1, 1), employee(2, 2, 1), employee(3, 3, 1)];

    expect(await drain(references, rows, [employee(4, 1, 1)])).toHaveLength(2);
    expect(references.of('department_id')).toBeUndefined();
    expect(references.of('job_id')).toBeUndefined();
  });
});
