import type { AnyResourceProvider } from '../resources';
import { alarmProvider } from './cloudwatch';
import { tableProvider } from './dynamodb';
import { ec2Providers } from './ec2';
import { gatewayProviders } from './ec2-gateways';
import { natProviders } from './ec2-nat';
import { archiveProvider, eventBusPolicyProvider, eventBusProvider, eventsRuleProvider } from './events';
import { organizationsPolicyProvider, stackSetProvider } from './governance';
import { policyProvider, roleProvider } from './iam';
import { kmsAliasProvider, kmsKeyProvider } from './kms';
import { lambdaProviders } from './lambda';
import { logGroupProvider } from './logs';
import { ramProviders } from './ram';
import { secretProvider } from './secretsmanager';
import { snsProviders } from './sns';
import { sqsProviders } from './sqs';
import { stateMachineProvider } from './stepfunctions';

/** Every resource type a stack instance can create in the sandbox. */
export const PROVIDERS: readonly AnyResourceProvider[] = [
  roleProvider,
  policyProvider,
  eventsRuleProvider,
  eventBusProvider,
  eventBusPolicyProvider,
  archiveProvider,
  stateMachineProvider,
  tableProvider,
  stackSetProvider,
  organizationsPolicyProvider,
  ...ec2Providers,
  ...gatewayProviders,
  ...natProviders,
  ...lambdaProviders,
  alarmProvider,
  kmsKeyProvider,
  kmsAliasProvider,
  logGroupProvider,
  secretProvider,
  ...sqsProviders,
  ...snsProviders,
  ...ramProviders,
];
