#!/usr/bin/env node
/* global require, __dirname, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script, run as is by node */
'use strict';
// Builds dist/ when it is missing or older than the sources, so that `npm start` runs the compiled
// service at once. Run by `prepare` (at install) and by `prestart`. Everything it prints goes to
// stderr: with LOG_FORMAT=json, stdout holds the service's JSON lines only.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** The files whose change calls for a new build (tests are not built). */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

/** The newest modification time, in ms, of the sources under `folder`. */
function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** `missing` (no dist/main.js), `stale` (a source is newer than it) or `fresh`. */
function buildState(root) {
  const main = join(root, 'dist', 'main.js');
  if (!existsSync(main)) return 'missing';
  const built = statSync(main).mtimeMs;
  const inputs = BUILD_INPUTS.map((name) => join(root, name)).filter((path) => existsSync(path));
  const newest = Math.max(newestSource(join(root, 'src')), ...inputs.map((path) => statSync(path).mtimeMs));
  return newest > built ? 'stale' : 'fresh';
}

/**
 * Builds when needed; returns the exit code. At install (`--at-install`) a checkout without its
 * sources or its build tools (a production install, the Docker image's first layer) is left alone.
 */
function ensureBuilt(root, atInstall) {
  if (!existsSync(join(root, 'src'))) return 0;
  const state = buildState(root);
  if (state === 'fresh') return 0;
  let nest;
  try {
    nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  } catch {
    if (atInstall) return 0;
    process.stderr.write('dist/ needs a build, and @nestjs/cli is not installed: run npm install first\n');
    return 1;
  }
  const why = state === 'missing' ? 'dist/ is missing' : 'src/ changed since the last build';
  process.stderr.write(`${why}: building the service once (npm run build)…\n`);
  const build = spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    process.stderr.write('The build failed (see above); the service was not started\n');
    return build.status ?? 1;
  }
  return 0;
}

module.exports = { buildState, ensureBuilt };

if (require.main === module) {
  process.exitCode = ensureBuilt(join(__dirname, '..'), process.argv.includes('--at-install'));
}
