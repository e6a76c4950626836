/** The shapes the service answers with (see the API contract). */
export interface Run {
  id: number;
  table: string;
  file: string;
  status: 'running' | 'completed' | 'failed';
  /** Why a failed run failed. */
  error?: string | null;
  dryRun?: boolean;
  batchSize: number;
  rejectMode: 'batch' | 'row';
  rowsRead: number;
  rowsInserted: number;
  rowsRejected: number;
  batchesTotal: number;
  batchesCommitted: number;
  batchesRejected: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** What to do next when a completed run read rows and wrote none (every batch rejected). */
  hint?: string | null;
  /** Bytes of the file read, and its size when known (async loads); null for a JSON batch. */
  progress?: { bytesRead: number; bytesTotal: number | null } | null;
}

export interface RejectedRow {
  line: number;
  field: string;
  value: string | null;
  reason: string;
}

export interface RejectedBatch {
  batch: number;
  firstLine: number;
  lastLine: number;
  /** The rejected rows of the batch on this page, as they came. */
  rows: unknown[];
  errors: RejectedRow[];
}

export interface RunDetail extends Run {
  /** One page of the reject log, counted in rejected rows. */
  rejected: RejectedBatch[];
  /** The rows of the whole reject log. */
  rejectedTotal: number;
}

export interface LoadResponse {
  runs: Run[];
}

export interface RunList {
  items: Run[];
  total: number;
}

export interface BackupFile {
  file: string;
  rows: number | null;
  bytes: number;
  sha256: string;
  createdAt: string;
}

export interface CreatedBackup extends BackupFile {
  table: string;
  rows: number;
}

export interface RestoredBackup {
  table: string;
  file: string;
  rowsRestored: number;
}

export interface HiresByQuarterRow {
  department: string;
  job: string;
  Q1: number;
  Q2: number;
  Q3: number;
  Q4: number;
}

export interface DepartmentAboveMeanRow {
  id: number;
  department: string;
  hired: number;
}
