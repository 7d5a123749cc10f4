import type { ResourceProvider } from '../resources';
import { ec2Providers } from './ec2';
import { eventsRuleProvider } from './events';
import { roleProvider } from './iam';

/** Every resource type a stack instance can create in the sandbox. */
export const PROVIDERS: readonly ResourceProvider[] = [roleProvider, eventsRuleProvider, ...ec2Providers];
