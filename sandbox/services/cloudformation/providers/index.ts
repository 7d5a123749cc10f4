import type { ResourceProvider } from '../resources';
import { ec2Providers } from './ec2';
import { archiveProvider, eventBusPolicyProvider, eventBusProvider, eventsRuleProvider } from './events';
import { policyProvider, roleProvider } from './iam';

/** Every resource type a stack instance can create in the sandbox. */
export const PROVIDERS: readonly ResourceProvider[] = [
  roleProvider,
  policyProvider,
  eventsRuleProvider,
  eventBusProvider,
  eventBusPolicyProvider,
  archiveProvider,
  ...ec2Providers,
];
