#!/usr/bin/env node
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, run as is by node */
'use strict';
// Runs the compiled CLI when the build is there and up to date, else the TypeScript source through swc.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const compiled = join(root, 'dist', 'cli', 'main.js');

function useCompiled() {
  if (process.env.HR_MIGRATE_FROM_SOURCE || !existsSync(compiled)) return false;
  // An image holds dist/ alone; a checkout may hold a build older than its sources.
  if (!existsSync(join(root, 'src'))) return true;
  return require(join(root, 'scripts', 'build-if-stale.js')).buildState(root) === 'fresh';
}

if (useCompiled()) {
  require(compiled);
} else {
  process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || join(root, 'tsconfig.json');
  require('@swc-node/register');
  require(join(root, 'src', 'cli', 'main.ts'));
}
