import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';
import { dataFolderOf } from './generated-api-key';

describe('loadConfig', () => {
  let dataFolder: string;
  beforeEach(() => (dataFolder = mkdtempSync(join(tmpdir(), 'hr-config-'))));
  afterEach(() => rmSync(dataFolder, { recursive: true, force: true }));

  it('should use SQLite, port 3000 and a generated key when nothing is set', () => {
    const config = loadConfig({}, { dataFolder });
    expect(config.database).toEqual({ type: 'sqlite', path: 'data/app.sqlite' });
    expect(config.port).toBe(3000);
    expect(config.generatedApiKey).toEqual({ key: config.apiKey, file: join(dataFolder, 'api-key'), created: true });
    expect(config.apiKey.length).toBeGreaterThanOrEqual(16);
    expect(config.backupDir).toBe('backups');
    expect(config.maxUploadBytes).toBe(1024 * 1024 * 1024);
    expect(config.readApiKey).toBeNull();
    expect(config.databaseRetryMs).toBe(30_000);
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.uploadIdleMs).toBe(60_000);
    expect(config.logging).toEqual({ format: 'text', level: 'log' });
    expect(config.backupPolicy).toEqual({ keep: null, schedule: null });
  });

  it('should keep the generated key in the data folder, readable by its owner only, when API_KEY is unset', () => {
    const first = loadConfig({}, { dataFolder });
    const file = join(dataFolder, 'api-key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.apiKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('should reuse the kept key when the service starts again', () => {
    const first = loadConfig({}, { dataFolder });
    const again = loadConfig({}, { dataFolder });
    expect(again.apiKey).toBe(first.apiKey);
    expect(again.generatedApiKey?.created).toBe(false);
  });

  it('should refuse to start when the kept key file holds no usable key', () => {
    writeFileSync(join(dataFolder, 'api-key'), 'short\n');
    expect(() => loadConfig({}, { dataFolder })).toThrow(/api-key must hold a key of at least 16 characters/);
  });

  it('should keep the key beside the SQLite file, or in data/ for MySQL, when no folder is named', () => {
    expect(dataFolderOf({ type: 'sqlite', path: '/var/lib/hr/app.sqlite' })).toBe('/var/lib/hr');
    expect(dataFolderOf({ type: 'sqlite', path: 'data/app.sqlite' })).toBe('data');
    expect(dataFolderOf({ type: 'mysql', url: 'mysql://root@db/hr' })).toBe('data');
  });

  it.each(['API_KEY', 'READ_API_KEY'])('should refuse to start when %s is the example key of .env.example', (name) => {
    expect(() =>
      loadConfig({ API_KEY: 'a-key-of-sixteen-chars', [name]: 'change-me-to-a-long-random-key' }, { dataFolder }),
    ).toThrow(new RegExp(`${name} is the example of .env.example`));
  });

  it('should read the upload idle time when it is set', () => {
    expect(loadConfig({ UPLOAD_IDLE_SECONDS: '2' }, { dataFolder }).uploadIdleMs).toBe(2000);
  });

  it('should read how many backups to keep and when to make them', () => {
    const config = loadConfig({ BACKUP_KEEP: '7', BACKUP_SCHEDULE: '0 3 * * *' }, { dataFolder });
    expect(config.backupPolicy).toEqual({ keep: 7, schedule: '0 3 * * *' });
    expect(loadConfig({ BACKUP_SCHEDULE: '*/2 * * * * *' }, { dataFolder }).backupPolicy.schedule).toBe(
      '*/2 * * * * *',
    );
  });

  it('should read the log format and level when they are set', () => {
    expect(loadConfig({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' }, { dataFolder }).logging).toEqual({
      format: 'json',
      level: 'debug',
    });
  });

  it('should give a config built in code the same defaults as an empty environment', () => {
    const fromEnv = loadConfig({ API_KEY: 'a-key-of-sixteen-chars' }, { dataFolder });
    const inCode = new AppConfig({ database: fromEnv.database, apiKey: 'a-key-of-sixteen-chars' });
    expect(inCode).toEqual(fromEnv);
  });

  it('should turn rate limiting off when RATE_LIMIT_PER_MINUTE is 0', () => {
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }, { dataFolder }).rateLimitPerMinute).toBe(0);
  });

  it('should read a read key and a database retry budget when they are set', () => {
    const config = loadConfig({ READ_API_KEY: 'a-read-key-of-16-chars', DATABASE_RETRY_SECONDS: '5' }, { dataFolder });
    expect(config.readApiKey).toBe('a-read-key-of-16-chars');
    expect(config.databaseRetryMs).toBe(5000);
  });

  it.each(['postgres://hr:secret@db:5432/hr', 'postgresql://hr@127.0.0.1/hr'])(
    'should read a PostgreSQL URL when DATABASE_URL is %s',
    (url) => {
      expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ type: 'postgres', url });
    },
  );

  it('should read a MySQL URL, a port, a key, a backup folder and an upload limit', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/hr',
      PORT: '8080',
      API_KEY: 'a-key-of-sixteen-chars',
      BACKUP_DIR: '/var/backups/hr',
      MAX_UPLOAD_MB: '10',
    });
    expect(config.database).toEqual({ type: 'mysql', url: 'mysql://root@127.0.0.1:3306/hr' });
    expect(config.port).toBe(8080);
    expect(config.apiKey).toBe('a-key-of-sixteen-chars');
    expect(config.generatedApiKey).toBeNull();
    expect(config.maxUploadBytes).toBe(10 * 1024 * 1024);
  });

  it.each([
    ['DATABASE_URL', 'oracle://x'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['API_KEY', 'short'],
    ['MAX_UPLOAD_MB', '0'],
    ['MAX_UPLOAD_MB', '1.5'],
    ['READ_API_KEY', 'short'],
    ['DATABASE_RETRY_SECONDS', '-1'],
    ['DATABASE_RETRY_SECONDS', '3601'],
    ['UPLOAD_IDLE_SECONDS', '0'],
    ['UPLOAD_IDLE_SECONDS', 'soon'],
    ['LOG_FORMAT', 'xml'],
    ['LOG_LEVEL', 'verbose'],
    ['BACKUP_KEEP', '0'],
    ['BACKUP_KEEP', 'all'],
    ['BACKUP_SCHEDULE', 'every day'],
    ['BACKUP_SCHEDULE', '61 * * * *'],
    ['BACKUP_SCHEDULE', '0 0 30 2 *'],
    ['BACKUP_SCHEDULE', '0 0 31 4,6 *'],
  ])('should refuse to start and name %s when it is %s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value }, { dataFolder })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value }, { dataFolder })).toThrow(variable);
  });

  it('should say that the schedule never comes when BACKUP_SCHEDULE names a date that does not exist', () => {
    expect(() => loadConfig({ BACKUP_SCHEDULE: '0 0 30 2 *' })).toThrow(/BACKUP_SCHEDULE .*no date/);
    expect(loadConfig({ BACKUP_SCHEDULE: '0 0 29 2 *' }).backupPolicy.schedule).toBe('0 0 29 2 *');
  });

  it('should spool uploads in the data folder when nothing else is said', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:/srv/hr/app.sqlite' }).spoolDir).toBe('/srv/hr/uploads');
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/hr' }).spoolDir).toBe('data/uploads');
  });
});
