import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';

const PREFIX = 'upload-';

/**
 * Where uploads wait on disk until they load: `<data folder>/uploads`, one folder per upload named
 * after this host and process. A crash leaves its folders behind; the next start of a process on
 * the same host removes those whose process is gone (or is this one: a restart reuses pid 1 in a
 * container). Folders of other hosts sharing the folder are left to them.
 */
@Injectable()
export class UploadSpool implements OnModuleInit {
  private readonly logger = new Logger('Upload');
  private readonly owner = `${PREFIX}${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-`;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await mkdir(this.config.spoolDir, { recursive: true });
    const left = (await readdir(this.config.spoolDir)).filter((name) => this.isLeftOver(name));
    for (const name of left) await rm(join(this.config.spoolDir, name), { recursive: true, force: true });
    if (left.length > 0) this.logger.log(`Removed ${left.length} spooled uploads left by a stopped process`);
  }

  /** A new, empty folder for one upload's files. */
  async folder(): Promise<string> {
    await mkdir(this.config.spoolDir, { recursive: true });
    return mkdtemp(join(this.config.spoolDir, `${this.owner}${process.pid}-`));
  }

  private isLeftOver(name: string): boolean {
    if (!name.startsWith(this.owner)) return false;
    const pid = Number(/^(\d+)-/.exec(name.slice(this.owner.length))?.[1]);
    return Number.isSafeInteger(pid) && (pid === process.pid || !isAlive(pid));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
