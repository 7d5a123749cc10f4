import type { LocalRuntime } from '../../core/runtime';
import type { ServiceDefinition } from '../../core/types';
import { accountOperations } from './accounts';
import { organizationsAuthorization } from './authorization';
import { closureOperations } from './closure';
import { checkOrganizationAccess, delegationOperations } from './delegation';
import { createAccountTrailShape } from './events';
import { membershipOperations } from './membership';
import { OrgState, organizationView, seedOrganization } from './model';
import { policyOperations } from './policies';
import { policyTypeOperations } from './policy-types';
import { trustedAccessOperations } from './trusted-access';

const registered = new WeakMap<object, ServiceDefinition['operations']>();

/**
 * The Organizations operations of a runtime (with their access checks), for a service acting on the
 * organization's behalf (CloudFormation creating an `AWS::Organizations::Policy`); undefined when the
 * runtime serves no Organizations.
 */
export function organizationsOperations(runtime: object): ServiceDefinition['operations'] | undefined {
  return registered.get(runtime);
}

/**
 * AWS Organizations (awsJson1_1, `AWSOrganizationsV20161128`), seeded from the organization config
 * on first start (with trusted access and delegated administrators). Pending `CreateAccount` requests
 * and `CloseAccount` closures resolve lazily on every call and on a timer.
 *
 * @example
 * const org = new OrganizationsClient({ endpoint, region: 'us-east-1' });
 * await org.send(new ListAccountsCommand({}));
 */
export function createOrganizationsService(runtime: LocalRuntime): ServiceDefinition {
  const state = new OrgState(runtime.store);
  const accounts = accountOperations(state, runtime);
  const closures = closureOperations(state, runtime);
  const resolveDue = (): void => {
    accounts.resolveDue();
    closures.resolveDue();
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    // both ask the clock to hold compressed until their own due times
    const waits = [accounts.nextDueRealMs(), closures.nextDueRealMs()].filter((w) => w !== undefined);
    if (waits.length === 0) return;
    const wait = Math.min(...waits);
    timer = setTimeout(
      () => {
        try {
          resolveDue();
        } catch {
          // the store may be closing
        }
        schedule();
      },
      Math.max(1, Math.ceil(wait)),
    );
    timer.unref();
  };
  const operations = {
    ...accounts.operations,
    ...closures.operations,
    ...policyOperations(state, runtime),
    ...policyTypeOperations(state),
    ...delegationOperations(state, runtime),
    ...trustedAccessOperations(state, runtime),
    ...membershipOperations(state, runtime),
  };
  const wrapped: ServiceDefinition['operations'] = Object.fromEntries(
    Object.entries(operations).map(([name, op]) => [
      name,
      async (input, ctx) => {
        checkOrganizationAccess(state, name, ctx);
        resolveDue();
        const out = await op(input, ctx);
        if (name === 'CreateAccount' || name === 'CloseAccount') schedule();
        return out;
      },
    ]),
  );
  runtime.bind({ organizations: organizationView(state, runtime) });
  registered.set(runtime, wrapped);
  return {
    signingName: 'organizations',
    protocol: 'awsJson1_1',
    targetPrefix: 'AWSOrganizationsV20161128',
    eventSource: 'organizations.amazonaws.com',
    authorization: organizationsAuthorization(state),
    operations: wrapped,
    // CloudTrail masks the new account's name and email
    trailShapes: { CreateAccount: createAccountTrailShape },
    start: () => {
      stopped = false;
      seedOrganization(state, runtime);
      schedule();
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
