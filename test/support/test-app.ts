import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, type EventStreamLimits } from '../../src/config/app-config';
import { AnswerRecorder, logContract, OpenApiContract } from './openapi-contract';
import { createTestDatabase, type Engine, type TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  /** The Node HTTP server, for supertest. */
  server: import('node:http').Server;
  dataSource: DataSource;
  db: TestDatabase;
  config: AppConfig;
  backupDir: string;
  auth: { Authorization: string };
  close(): Promise<void>;
}

/** The real application on a throwaway database, with its schema made by the real schema migrations. */
export async function startTestApp(
  engine: Engine,
  overrides: Partial<{
    maxUploadBytes: number;
    rateLimitPerMinute: number;
    readApiKey: string;
    databaseRetryMs: number;
    /** BACKUP_KEEP */
    backupKeep: number;
    /** The URL the service connects with, e.g. through a proxy; the database is the same. */
    databaseUrl: (url: string) => string;
    /** Where uploads wait on disk; default a new temporary folder, so that apps never share one. */
    spoolDir: string;
    /** UPLOAD_IDLE_SECONDS, in milliseconds. */
    uploadIdleMs: number;
    /** The caps of run event streams. */
    eventStreams: EventStreamLimits;
    /** MAX_CONCURRENT_RUNS */
    maxConcurrentRuns: number;
  }> = {},
): Promise<TestApp> {
  const db = await createTestDatabase(engine);
  const backupDir = mkdtempSync(join(tmpdir(), 'hr-backups-'));
  const spoolDir = overrides.spoolDir ?? mkdtempSync(join(tmpdir(), 'hr-spool-'));
  const database =
    overrides.databaseUrl && db.config.type !== 'sqlite'
      ? { ...db.config, url: overrides.databaseUrl(db.config.url) }
      : db.config;
  const config = new AppConfig({
    database,
    port: 0,
    apiKey: TEST_API_KEY,
    backupDir,
    maxUploadBytes: overrides.maxUploadBytes,
    // Off unless a test is about the limit, so that many requests in a row never meet it.
    rateLimitPerMinute: overrides.rateLimitPerMinute ?? 0,
    readApiKey: overrides.readApiKey,
    databaseRetryMs: overrides.databaseRetryMs,
    uploadIdleMs: overrides.uploadIdleMs,
    eventStreams: overrides.eventStreams,
    maxConcurrentRuns: overrides.maxConcurrentRuns,
    backupPolicy: { keep: overrides.backupKeep ?? null, schedule: null },
    spoolDir,
  });
  const app = await createApp(config, process.env.TEST_LOG ? {} : { logger: false });
  const recorder = recordAnswers(app);
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    dataSource: app.get(DataSource),
    db,
    config,
    backupDir,
    auth: { Authorization: `Bearer ${TEST_API_KEY}` },
    close: async () => {
      let mismatches: string[];
      try {
        mismatches = await checkAnswers(app, recorder);
      } finally {
        await app.close();
        await db.drop();
        rmSync(backupDir, { recursive: true, force: true });
        rmSync(spoolDir, { recursive: true, force: true });
      }
      if (mismatches.length > 0) {
        throw new Error(`Answers outside the OpenAPI document:\n${mismatches.slice(0, 20).join('\n')}`);
      }
    },
  };
}

/** Every answer the application gives, whatever server carries it: the Express app's handler is wrapped. */
function recordAnswers(app: INestApplication): AnswerRecorder {
  const recorder = new AnswerRecorder();
  const express = app.getHttpAdapter().getInstance() as { handle: (...args: never[]) => void };
  const handle = express.handle.bind(express);
  express.handle = ((req: never, res: never, next: never) =>
    recorder.middleware(req, res, () => handle(req, res, next))) as typeof express.handle;
  return recorder;
}

/** The contract test: every recorded answer is checked against the document the service serves. */
async function checkAnswers(app: INestApplication, recorder: AnswerRecorder): Promise<string[]> {
  const answers = [...recorder.answers];
  if (answers.length === 0) return [];
  const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
  const contract = new OpenApiContract(document);
  const mismatches = contract.mismatches(answers);
  logContract(expect.getState().testPath ?? '', answers.filter((a) => contract.describes(a)).length, mismatches);
  return mismatches;
}
