#!/usr/bin/env node
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, run as is by node */
'use strict';
// Runs the compiled CLI when the project is built, else the TypeScript source through swc.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (existsSync(compiled) && !process.env.HR_MIGRATE_FROM_SOURCE) {
  require(compiled);
} else {
  process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || join(__dirname, '..', 'tsconfig.json');
  require('@swc-node/register');
  require(join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
