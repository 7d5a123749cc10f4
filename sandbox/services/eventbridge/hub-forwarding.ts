import { HUB_FORWARDING_RULE } from '../../../events/rules';
import type { SandboxRuntime } from '../../core/types';
import { putRole } from '../iam/model';
import { arns, centralBusName, hubScope, type Scope } from './model';
import { ensureBus, putRule, putTargets } from './rules';

/**
 * Seeds what the CDK app deploys for the hub's own events ({@link HUB_FORWARDING_RULE}): the
 * forwarding rule on the hub's default bus in the home region (same account and region as the
 * central bus: no role) and, when the home region is not us-east-1, in us-east-1 with the
 * `vendguard-hub-event-forwarder` role for the cross-region put. Idempotent.
 */
export function seedHubForwarding(runtime: SandboxRuntime): void {
  const hub = hubScope(runtime);
  const central = arns.bus(hub, centralBusName());
  const pattern = JSON.stringify(HUB_FORWARDING_RULE.pattern);
  const install = (scope: Scope, roleArn?: string) => {
    ensureBus(runtime, scope, 'default');
    const rule = putRule(runtime, {
      ...scope,
      Name: HUB_FORWARDING_RULE.name,
      EventBusName: 'default',
      State: 'ENABLED',
      Description: HUB_FORWARDING_RULE.description,
      EventPattern: pattern,
    });
    putTargets(runtime, rule, [{ Id: 'vendguard-bus', Arn: central, ...(roleArn ? { RoleArn: roleArn } : {}) }]);
  };
  install(hub);
  const global = HUB_FORWARDING_RULE.globalEventsRegion;
  if (hub.region === global) return;
  const role = putRole(runtime.store, runtime.clock, hub.account, {
    roleName: HUB_FORWARDING_RULE.roleName,
    description:
      'Lets EventBridge forward the hub account us-east-1 events (IAM, Organizations, STS) to the vendguard bus',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': hub.account } },
        },
      ],
    },
    inlinePolicies: {
      'put-events-on-vendguard-bus': {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: central }],
      },
    },
  });
  install({ account: hub.account, region: global }, role.arn);
}
