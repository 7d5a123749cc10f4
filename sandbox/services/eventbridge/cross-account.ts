import { assumedRolePrincipal } from '../../core/identity';
import type { Principal, SandboxRuntime } from '../../core/types';
import { authorizeTrust } from '../../policy';
import { rolePolicies } from '../iam/model';
import { arns, type BusRecord, keys, type RuleRecord, type Scope, sameScope, TABLES, type TargetRecord } from './model';
import { busPolicy } from './permissions';

/**
 * Why EventBridge may not put an event on another bus for this rule, or undefined when it may. The
 * same account and region needs nothing; otherwise the target's role must exist in the rule's
 * account and trust `events.amazonaws.com`, its policies (and the account's SCPs) must allow
 * `events:PutEvents` on the bus, and a bus of another account must admit the role in its policy.
 * Without a role (the legacy cross-account form) the bus policy must admit the rule's account.
 */
export function busPutDenial(
  runtime: SandboxRuntime,
  rule: RuleRecord,
  target: TargetRecord,
  to: Scope & { readonly name: string },
): string | undefined {
  const { store } = runtime;
  const busArn = arns.bus(to, to.name);
  const bus = store.get<BusRecord>(TABLES.buses, keys.bus(to, to.name));
  if (!bus) return `Event bus ${busArn} does not exist.`;
  if (sameScope(rule, to)) return undefined;
  const authorize = runtime.authorize?.bind(runtime);
  if (!authorize) return undefined;
  const resourcePolicy = busPolicy(bus);
  const crossAccount = to.account !== rule.account;
  if (!target.RoleArn) {
    if (!crossAccount) return `Rule ${rule.Arn} needs a RoleArn to put events on ${busArn} in another region.`;
    if (!resourcePolicy) return `The policy of ${busArn} does not allow account ${rule.account} to put events.`;
    const principal: Principal = {
      accountId: rule.account,
      arn: `arn:aws:iam::${rule.account}:root`,
      type: 'Root',
      principalId: rule.account,
      accessKeyId: '',
    };
    return authorize({
      principal,
      action: 'events:PutEvents',
      resources: [busArn],
      region: to.region,
      resourcePolicy,
      resourceAccountId: to.account,
    });
  }
  const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(target.RoleArn);
  if (!role || role[1] !== rule.account) return `Role ${target.RoleArn} is not a role of account ${rule.account}.`;
  const roleName = role[2] as string;
  const policies = rolePolicies(store, rule.account, roleName);
  if (!policies) return `Role ${target.RoleArn} does not exist.`;
  const trusted = authorizeTrust(
    policies.trust,
    { scpLevels: [], identity: [] },
    {
      action: 'sts:AssumeRole',
      resource: target.RoleArn,
      principal: { arn: 'events.amazonaws.com', accountId: rule.account, service: 'events.amazonaws.com' },
      context: { 'aws:SourceAccount': rule.account, 'aws:SourceArn': rule.Arn },
    },
  );
  if (!trusted.allowed) return `Role ${target.RoleArn} does not trust events.amazonaws.com to assume it.`;
  const principal: Principal = {
    ...assumedRolePrincipal(rule.account, roleName, `events-${rule.Name}`.slice(0, 64)),
    accessKeyId: '',
  };
  return authorize({
    principal,
    action: 'events:PutEvents',
    resources: [busArn],
    region: to.region,
    ...(crossAccount && resourcePolicy ? { resourcePolicy } : {}),
    resourceAccountId: to.account,
  });
}
