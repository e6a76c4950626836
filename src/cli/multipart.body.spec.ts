import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './cli.error';
import { buildMultipartUpload, checkUploadFiles } from './multipart.body';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('multipart upload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-cli-'));
  const jobs = join(dir, 'jobs.csv');
  writeFileSync(jobs, '1,Recruiter\r\n2,Manager');

  it('should stream the fields first, then each file, with a Content-Length that matches the body', async () => {
    const [file] = await checkUploadFiles([jobs]);
    const counts: number[] = [];
    const upload = buildMultipartUpload({ rejectMode: 'row' }, [file], (sent) => counts.push(sent));
    const body = (await collect(upload.body)).toString();
    const boundary = /boundary=(.+)$/.exec(upload.contentType)?.[1];
    expect(Buffer.byteLength(body)).toBe(upload.contentLength);
    expect(counts.at(-1)).toBe(upload.contentLength);
    expect(body.indexOf('name="rejectMode"\r\n\r\nrow\r\n')).toBeLessThan(body.indexOf('filename="jobs.csv"'));
    expect(body).toContain('Content-Type: text/csv\r\n\r\n1,Recruiter\r\n2,Manager\r\n');
    expect(body.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('should refuse before sending anything when a file is missing or is a folder', async () => {
    await expect(checkUploadFiles([jobs, join(dir, 'nope.csv')])).rejects.toThrow(
      new CliError(`file not found: ${join(dir, 'nope.csv')}`),
    );
    await expect(checkUploadFiles([dir])).rejects.toThrow(`not a file: ${dir}`);
  });
});
