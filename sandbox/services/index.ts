import type { LocalRuntime } from '../core/runtime';
import type { AnyService } from '../core/server';
import { createAccessAnalyzerService } from './accessanalyzer';
import { createAccountService } from './account';
import { createBudgetsService } from './budgets';
import { createCloudFormationService } from './cloudformation';
import { createCloudTrailService } from './cloudtrail-api';
import { createCloudWatchService } from './cloudwatch';
import { createConfigService } from './config';
import { createDynamoDbService } from './dynamodb';
import { createEc2Service } from './ec2';
import { createEventBridgeService } from './eventbridge';
import { createGuardDutyService } from './guardduty';
import { createIamService } from './iam';
import { createKmsService } from './kms';
import { createLambdaService } from './lambda';
import { createLogsService } from './logs';
import { createOrganizationsService } from './organizations';
import { createRamService } from './ram';
import { createS3ControlService } from './s3control';
import { createSecretsManagerService } from './secretsmanager';
import { createSecurityHubService } from './securityhub';
import { createSnsService } from './sns';
import { createSqsService } from './sqs';
import { createStepFunctionsService } from './stepfunctions';
import { createStsService } from './sts';

/**
 * The registry of every emulated service. Organizations comes first: its `start()` seeds the
 * organization the others read. EventBridge and Step Functions also bind the runtime's `bus` and
 * `stateMachines`.
 */
export function createServices(runtime: LocalRuntime): AnyService[] {
  const services: AnyService[] = [
    createOrganizationsService(runtime),
    createStsService(runtime),
    createIamService(runtime),
  ];
  const events = createEventBridgeService(runtime);
  runtime.bind({ bus: events.bus });
  services.push(events.service);
  const states = createStepFunctionsService(runtime);
  runtime.bind({ stateMachines: states.stateMachines });
  services.push(states.service);
  services.push(createCloudFormationService(runtime));
  services.push(createEc2Service(runtime));
  // EC2 asks RAM who may use a transit gateway or an IPAM pool
  services.push(createRamService(runtime));
  services.push(createCloudTrailService(runtime));
  services.push(createDynamoDbService(runtime));
  services.push(createS3ControlService(runtime));
  services.push(createLambdaService(runtime));
  services.push(createCloudWatchService(runtime));
  services.push(createKmsService(runtime));
  services.push(createLogsService(runtime));
  services.push(createSecretsManagerService(runtime));
  services.push(createSqsService(runtime), createSnsService(runtime));
  services.push(createAccountService(runtime), createBudgetsService(runtime));
  // the organization's security services; GuardDuty and Security Hub hear of accounts that join it
  services.push(
    createGuardDutyService(runtime),
    createSecurityHubService(runtime),
    createConfigService(runtime),
    createAccessAnalyzerService(runtime),
  );
  return services;
}
