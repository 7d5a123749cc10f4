/**
 * The vendguard CDK app (`npx cdk synth`, `npx cdk deploy`): offline synth, no Docker (functions are
 * bundled by the local esbuild), settings from `cdk.json` context. See docs/deploy.md.
 */
import { App } from 'aws-cdk-lib';
import { buildVendguardApp } from './lib/vendguard-app';

const app = new App();
buildVendguardApp(app);
app.synth();
