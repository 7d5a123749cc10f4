import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of a function bundle; `POWERTOOLS_SERVICE_NAME` names the service. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'vendguard',
  logLevel:
    (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? (process.env.NODE_ENV === 'test' ? 'SILENT' : 'INFO'),
});
