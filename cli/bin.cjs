#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx vendguard` works from a clone without a build step.
// CI and local development run Node 20 on purpose (deployed functions run nodejs22.x): no SDK nag.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../sandbox/core/polyfills.ts');
const main = require('./main.ts');
main.buildProgram().parseAsync(process.argv).catch(main.reportError);
