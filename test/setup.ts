import '../sandbox/core/polyfills';

process.env.NODE_ENV = 'test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'eu-west-1';
