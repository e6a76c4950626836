import { dirname, join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { CronTime, validateCronExpression } from 'cron';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { dataFolderOf, EXAMPLE_API_KEY, type GeneratedApiKey, keepGeneratedApiKey } from './generated-api-key';

/** The levels LOG_LEVEL accepts, from the quietest. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;

/** LOG_FORMAT (`text`: Nest's readable lines, `json`: one object per line) and LOG_LEVEL. */
export interface LoggingConfig {
  format: 'text' | 'json';
  level: (typeof LOG_LEVELS)[number];
}

/** The environment as the service reads it; every variable is documented in `.env.example`. */
export class EnvironmentVariables {
  @IsOptional()
  @Matches(/^(mysql:\/\/.+|postgres(ql)?:\/\/.+|sqlite:.+)$/, {
    message:
      'DATABASE_URL must be mysql://user:password@host:3306/db, postgres://user:password@host:5432/db or sqlite:PATH',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters long' })
  @ValidateBy(
    { name: 'isNotExampleKey', validator: { validate: (value) => value !== EXAMPLE_API_KEY } },
    {
      message: `API_KEY is the example of .env.example; set a key of your own (openssl rand -hex 24) or leave it unset for a generated one`,
    },
  )
  API_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'BACKUP_DIR must not be empty' })
  BACKUP_DIR?: string;

  @IsOptional()
  @IsInt({ message: 'MAX_UPLOAD_MB must be a positive integer' })
  @Min(1, { message: 'MAX_UPLOAD_MB must be a positive integer' })
  MAX_UPLOAD_MB?: number;

  @IsOptional()
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer, 0 to turn rate limiting off' })
  @Min(0, { message: 'RATE_LIMIT_PER_MINUTE must be an integer, 0 to turn rate limiting off' })
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'READ_API_KEY must be at least 16 characters long' })
  @ValidateBy(
    { name: 'isNotExampleKey', validator: { validate: (value) => value !== EXAMPLE_API_KEY } },
    { message: `READ_API_KEY is the example of .env.example; set a key of your own (openssl rand -hex 24)` },
  )
  READ_API_KEY?: string;

  @IsOptional()
  @IsInt({ message: 'DATABASE_RETRY_SECONDS must be an integer between 0 and 3600' })
  @Min(0, { message: 'DATABASE_RETRY_SECONDS must be an integer between 0 and 3600' })
  @Max(3600, { message: 'DATABASE_RETRY_SECONDS must be an integer between 0 and 3600' })
  DATABASE_RETRY_SECONDS?: number;

  @IsOptional()
  @IsInt({ message: 'UPLOAD_IDLE_SECONDS must be an integer between 1 and 3600' })
  @Min(1, { message: 'UPLOAD_IDLE_SECONDS must be an integer between 1 and 3600' })
  @Max(3600, { message: 'UPLOAD_IDLE_SECONDS must be an integer between 1 and 3600' })
  UPLOAD_IDLE_SECONDS?: number;

  @IsOptional()
  @IsInt({ message: 'MAX_CONCURRENT_RUNS must be an integer between 1 and 1000' })
  @Min(1, { message: 'MAX_CONCURRENT_RUNS must be an integer between 1 and 1000' })
  @Max(1000, { message: 'MAX_CONCURRENT_RUNS must be an integer between 1 and 1000' })
  MAX_CONCURRENT_RUNS?: number;

  @IsOptional()
  @IsIn(['text', 'json'], { message: 'LOG_FORMAT must be text or json' })
  LOG_FORMAT?: 'text' | 'json';

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @IsOptional()
  @IsInt({ message: 'BACKUP_KEEP must be a positive integer: how many backups of each table to keep' })
  @Min(1, { message: 'BACKUP_KEEP must be a positive integer: how many backups of each table to keep' })
  BACKUP_KEEP?: number;

  @IsOptional()
  @ValidateBy(
    {
      name: 'isCronExpression',
      validator: { validate: (value) => scheduleProblem(value) === null },
    },
    { message: ({ value }) => `BACKUP_SCHEDULE ${scheduleProblem(value) ?? ''}` },
  )
  BACKUP_SCHEDULE?: string;
}

/** Why a BACKUP_SCHEDULE cannot be used, or null when it can. */
function scheduleProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !validateCronExpression(value).valid) {
    return "must be a cron expression such as '0 3 * * *' (every day at 03:00 UTC)";
  }
  try {
    // A valid expression may still name no real date ('0 0 30 2 *'); the cron library only finds out at start.
    new CronTime(value, 'UTC').sendAt();
    return null;
  } catch {
    return `'${value}' never comes: no date matches it (such as 30 February)`;
  }
}

/** Run event streams open at once, per client (by address) and in all, and the longest one lasts. */
export interface EventStreamLimits {
  perClient: number;
  total: number;
  maxMs: number;
}

/** BACKUP_KEEP and BACKUP_SCHEDULE: null keeps every backup, and backs up only on request. */
export interface BackupPolicy {
  keep: number | null;
  /** A cron expression, in UTC: five fields, or six with seconds first. */
  schedule: string | null;
}

export type DatabaseConfig =
  { type: 'sqlite'; path: string } | { type: 'mysql'; url: string } | { type: 'postgres'; url: string };

/** What a setting is when the environment leaves it unset (`.env.example` and the README list the same). */
export const CONFIG_DEFAULTS = {
  databaseUrl: 'sqlite:data/app.sqlite',
  port: 3000,
  backupDir: 'backups',
  maxUploadMb: 1024,
  /** Writes (POST) allowed per client and minute; 0 turns rate limiting off. */
  rateLimitPerMinute: 600,
  /** How long a batch keeps retrying while the database connection is lost. */
  databaseRetrySeconds: 30,
  /** How long an upload may send nothing before it is stopped (408). */
  uploadIdleSeconds: 60,
  /** Runs loading or queued at once in one process; on MySQL each holds a connection besides the pool. */
  maxConcurrentRuns: 20,
  logging: { format: 'text', level: 'log' } as LoggingConfig,
  /** Each stream reads its run four times a second: these bound that load. */
  eventStreams: { perClient: 5, total: 100, maxMs: 30 * 60_000 } as EventStreamLimits,
  /** Every backup kept; backups on request only. */
  backupPolicy: { keep: null, schedule: null } as BackupPolicy,
} as const;

const MIB = 1024 * 1024;

/** The settings an AppConfig is made from; anything left out takes its value from CONFIG_DEFAULTS. */
export interface AppConfigInit {
  database: DatabaseConfig;
  apiKey: string;
  /** When no API_KEY was set: the file that keeps the generated key (main prints the key). */
  generatedApiKey?: GeneratedApiKey | null;
  port?: number;
  backupDir?: string;
  maxUploadBytes?: number;
  rateLimitPerMinute?: number;
  /** When set, reads (GET) other than /health, /docs and /dashboard need this key or API_KEY. */
  readApiKey?: string | null;
  databaseRetryMs?: number;
  uploadIdleMs?: number;
  logging?: LoggingConfig;
  backupPolicy?: BackupPolicy;
  /** Where uploads wait on disk; default `uploads` in the data folder (see spoolDirOf). */
  spoolDir?: string;
  eventStreams?: EventStreamLimits;
  maxConcurrentRuns?: number;
}

/** The validated configuration, one instance for the whole application. */
export class AppConfig {
  readonly database: DatabaseConfig;
  readonly port: number;
  readonly apiKey: string;
  readonly generatedApiKey: GeneratedApiKey | null;
  readonly backupDir: string;
  readonly maxUploadBytes: number;
  readonly rateLimitPerMinute: number;
  readonly readApiKey: string | null;
  readonly databaseRetryMs: number;
  readonly uploadIdleMs: number;
  readonly logging: LoggingConfig;
  readonly backupPolicy: BackupPolicy;
  readonly spoolDir: string;
  readonly eventStreams: EventStreamLimits;
  readonly maxConcurrentRuns: number;

  constructor(init: AppConfigInit) {
    this.database = init.database;
    this.port = init.port ?? CONFIG_DEFAULTS.port;
    this.apiKey = init.apiKey;
    this.generatedApiKey = init.generatedApiKey ?? null;
    this.backupDir = init.backupDir ?? CONFIG_DEFAULTS.backupDir;
    this.maxUploadBytes = init.maxUploadBytes ?? CONFIG_DEFAULTS.maxUploadMb * MIB;
    this.rateLimitPerMinute = init.rateLimitPerMinute ?? CONFIG_DEFAULTS.rateLimitPerMinute;
    this.readApiKey = init.readApiKey ?? null;
    this.databaseRetryMs = init.databaseRetryMs ?? CONFIG_DEFAULTS.databaseRetrySeconds * 1000;
    this.uploadIdleMs = init.uploadIdleMs ?? CONFIG_DEFAULTS.uploadIdleSeconds * 1000;
    this.logging = init.logging ?? CONFIG_DEFAULTS.logging;
    this.backupPolicy = init.backupPolicy ?? CONFIG_DEFAULTS.backupPolicy;
    this.spoolDir = init.spoolDir ?? spoolDirOf(init.database);
    this.eventStreams = init.eventStreams ?? CONFIG_DEFAULTS.eventStreams;
    this.maxConcurrentRuns = init.maxConcurrentRuns ?? CONFIG_DEFAULTS.maxConcurrentRuns;
  }
}

/** `uploads` in the service's data folder: the SQLite file's folder, else `data` in the working folder. */
export function spoolDirOf(database: DatabaseConfig): string {
  const folder = database.type === 'sqlite' && database.path !== ':memory:' ? dirname(database.path) : 'data';
  return join(folder, 'uploads');
}

export class ConfigError extends Error {}

const NUMERIC = new Set([
  'PORT',
  'MAX_UPLOAD_MB',
  'RATE_LIMIT_PER_MINUTE',
  'DATABASE_RETRY_SECONDS',
  'UPLOAD_IDLE_SECONDS',
  'BACKUP_KEEP',
  'MAX_CONCURRENT_RUNS',
]);
const VARIABLES = [
  'DATABASE_URL',
  'PORT',
  'API_KEY',
  'READ_API_KEY',
  'BACKUP_DIR',
  'MAX_UPLOAD_MB',
  'RATE_LIMIT_PER_MINUTE',
  'DATABASE_RETRY_SECONDS',
  'UPLOAD_IDLE_SECONDS',
  'LOG_FORMAT',
  'LOG_LEVEL',
  'BACKUP_KEEP',
  'BACKUP_SCHEDULE',
  'MAX_CONCURRENT_RUNS',
];

/**
 * Validates the environment; throws ConfigError naming every bad variable. With API_KEY unset, the
 * key kept in the data folder is used, made there on the first start (`dataFolder` overrides the folder).
 */
export function loadConfig(env: NodeJS.ProcessEnv, options: { dataFolder?: string } = {}): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of VARIABLES) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] = NUMERIC.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  const vars = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(vars, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}).slice(0, 1));
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const url = vars.DATABASE_URL ?? CONFIG_DEFAULTS.databaseUrl;
  const database: DatabaseConfig = url.startsWith('sqlite:')
    ? { type: 'sqlite', path: url.slice('sqlite:'.length) }
    : url.startsWith('mysql:')
      ? { type: 'mysql', url }
      : { type: 'postgres', url };
  const generatedApiKey =
    vars.API_KEY === undefined ? generatedKeyIn(options.dataFolder ?? dataFolderOf(database)) : null;
  return new AppConfig({
    database,
    port: vars.PORT,
    apiKey: generatedApiKey?.key ?? vars.API_KEY ?? '',
    generatedApiKey,
    backupDir: vars.BACKUP_DIR,
    maxUploadBytes: vars.MAX_UPLOAD_MB === undefined ? undefined : vars.MAX_UPLOAD_MB * MIB,
    rateLimitPerMinute: vars.RATE_LIMIT_PER_MINUTE,
    readApiKey: vars.READ_API_KEY,
    databaseRetryMs: vars.DATABASE_RETRY_SECONDS === undefined ? undefined : vars.DATABASE_RETRY_SECONDS * 1000,
    uploadIdleMs: vars.UPLOAD_IDLE_SECONDS === undefined ? undefined : vars.UPLOAD_IDLE_SECONDS * 1000,
    maxConcurrentRuns: vars.MAX_CONCURRENT_RUNS,
    logging: {
      format: vars.LOG_FORMAT ?? CONFIG_DEFAULTS.logging.format,
      level: vars.LOG_LEVEL ?? CONFIG_DEFAULTS.logging.level,
    },
    backupPolicy: { keep: vars.BACKUP_KEEP ?? null, schedule: vars.BACKUP_SCHEDULE?.trim() ?? null },
  });
}

function generatedKeyIn(folder: string): GeneratedApiKey {
  try {
    return keepGeneratedApiKey(folder);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Invalid configuration: API_KEY is not set and its generated key cannot be kept: ${reason}`);
  }
}
