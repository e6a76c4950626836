import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'build-if-stale.js');

/**
 * A checkout in a temporary folder: the real build-if-stale script, one source file, and a stand-in
 * for @nestjs/cli whose `build` writes dist/main.js and counts itself, so that a test can tell
 * whether a build ran without spending a minute on one.
 */
function checkout(): {
  root: string;
  builds(): number;
  run(...args: string[]): { status: number | null; stdout: string; stderr: string };
} {
  const root = mkdtempSync(join(tmpdir(), 'hr-start-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'build-if-stale.js'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'main.ts'), 'export {};\n');
  const cli = join(root, 'node_modules', '@nestjs', 'cli', 'bin');
  mkdirSync(cli, { recursive: true });
  writeFileSync(join(root, 'node_modules', '@nestjs', 'cli', 'package.json'), '{"name":"@nestjs/cli"}\n');
  writeFileSync(
    join(cli, 'nest.js'),
    [
      "const fs = require('node:fs');",
      "fs.mkdirSync('dist', { recursive: true });",
      "fs.writeFileSync('dist/main.js', '');",
      "fs.appendFileSync('builds.log', process.argv.slice(2).join(' ') + '\\n');",
      "console.log('compiled');",
    ].join('\n'),
  );
  return {
    root,
    builds: () => {
      try {
        return readFileSync(join(root, 'builds.log'), 'utf8').trim().split('\n').length;
      } catch {
        return 0;
      }
    },
    run: (...args) => {
      const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

describe('npm start', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('should run the compiled service, build it before a start and at install, and keep watch mode for start:dev', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe('node --max-semi-space-size=16 dist/main.js');
    expect(scripts.prestart).toBe('node scripts/build-if-stale.js');
    expect(scripts.prepare).toMatch(/\|\| node scripts\/build-if-stale\.js --at-install$/);
    expect(scripts['start:dev']).toBe('nest start --watch');
  });

  it('should build once when dist/ is missing, and not again when nothing changed', () => {
    const c = checkout();
    roots.push(c.root);
    const first = c.run();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('dist/ is missing: building the service once');
    // The compiler's own output goes to stderr too: stdout stays the service's (JSON lines with LOG_FORMAT=json).
    expect(first.stdout).toBe('');
    expect(c.builds()).toBe(1);
    const second = c.run();
    expect(second).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(c.builds()).toBe(1);
  });

  it('should build again when a source is newer than the build', () => {
    const c = checkout();
    roots.push(c.root);
    c.run();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(c.root, 'src', 'main.ts'), later, later);
    const result = c.run();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('src/ changed since the last build');
    expect(c.builds()).toBe(2);
  });

  it('should leave an install alone when the sources or the build tools are not there', () => {
    const c = checkout();
    roots.push(c.root);
    rmSync(join(c.root, 'node_modules'), { recursive: true });
    expect(c.run('--at-install')).toEqual({ status: 0, stdout: '', stderr: '' });
    const start = c.run();
    expect(start.status).toBe(1);
    expect(start.stderr).toContain('@nestjs/cli is not installed: run npm install first');
    rmSync(join(c.root, 'src'), { recursive: true });
    expect(c.run('--at-install')).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('should install package.json alone, as the Docker image does before it copies the sources', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hr-install-'));
    roots.push(folder);
    copyFileSync(join(ROOT, 'package.json'), join(folder, 'package.json'));
    const prepare = spawnSync('npm', ['run', 'prepare', '--silent'], {
      cwd: folder,
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect({ status: prepare.status, stderr: prepare.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('should build at install when the sources are there', () => {
    const c = checkout();
    roots.push(c.root);
    copyFileSync(join(ROOT, 'package.json'), join(c.root, 'package.json'));
    const prepare = spawnSync('npm', ['run', 'prepare', '--silent'], {
      cwd: c.root,
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(prepare.status).toBe(0);
    expect(c.builds()).toBe(1);
  });
});
