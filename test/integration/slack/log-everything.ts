/** Imported first by tests that capture log output: the logger is created at DEBUG instead of SILENT. */
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
