import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { AppConfig } from '../../config/app-config';
import { UploadReceiver } from './upload-receiver';

const BOUNDARY = 'xBOUNDARYx';
const LIMIT = 4 * 1024;

async function readAll(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

describe('UploadReceiver', () => {
  const receiver = new UploadReceiver(
    new AppConfig({ type: 'sqlite', path: ':memory:' }, 0, 'the-right-key-123', false, 'b', LIMIT),
  );

  it('should refuse the upload and fail the file stream when the limit is passed before the loader reads it', async () => {
    const body = new PassThrough();
    let called!: () => void;
    const handlerCalled = new Promise<void>((resolve) => (called = resolve));
    let loaderRead: Promise<number> | undefined;
    const received = receiver.receive(
      { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body },
      async (_options, file) => {
        called();
        // Like a loader still creating its run: not reading, no listener on the stream yet.
        await new Promise((resolve) => file.stream.once('close', resolve));
        loaderRead = readAll(file.stream);
        await loaderRead.catch(() => undefined);
      },
    );
    body.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="departments.csv"\r\n\r\n`);
    body.write('1,Finance\r\n');
    await handlerCalled;
    body.end(`${'1,Finance\r\n'.repeat(1000)}\r\n--${BOUNDARY}--\r\n`);

    await expect(received).rejects.toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    await expect(loaderRead).rejects.toThrow('The upload was stopped');
  });
});
