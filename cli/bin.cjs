#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx vendguard` works from a clone without a build step.
require('tsx/cjs');
require('../sandbox/core/polyfills.ts');
require('./main.ts')
  .buildProgram()
  .parseAsync(process.argv)
  .catch((err) => {
    console.error(`vendguard: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
