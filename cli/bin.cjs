#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx vendguard` works from a clone without a build step.
require('tsx/cjs');
require('../sandbox/core/polyfills.ts');
const main = require('./main.ts');
main.buildProgram().parseAsync(process.argv).catch(main.reportError);
