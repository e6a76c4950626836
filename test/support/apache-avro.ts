import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Debian's python3-avro: Apache's reference implementation, independent of avsc; with Debian's
 * python3-snappy for the snappy codec. Missing packages fail the test, naming them.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'apache-avro.py');

export interface AvroFileContent {
  schema: { name: string; fields: { name: string; type: unknown }[] };
  codec: string;
  records: Record<string, unknown>[];
}

export function readWithApacheAvro(path: string): AvroFileContent {
  const result = spawnSync(PYTHON, [SCRIPT, 'read', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`Apache Avro could not read ${path}: ${missing(result.stderr)}`);
  return JSON.parse(result.stdout) as AvroFileContent;
}

export type ApacheAvroCodec = 'null' | 'deflate' | 'snappy' | 'bzip2';

export function writeWithApacheAvro(path: string, codec: ApacheAvroCodec, schema: object, records: object[]): void {
  const result = spawnSync(PYTHON, [SCRIPT, 'write', path, codec], {
    input: JSON.stringify({ schema, records }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`Apache Avro could not write ${path}: ${missing(result.stderr)}`);
}

function missing(stderr: string): string {
  const module = /No module named '(\w+)'/.exec(stderr)?.[1];
  return module ? `install Debian's python3-${module} (apt-get install python3-${module}); ${stderr}` : stderr;
}
