import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { HubStack } from './hub-stack';
import type { NetworkStack } from './network-stack';

/**
 * How cdk-nag prints a resolved value in a finding id: `{Ref: X}` → `<X>`, `{Fn::GetAtt: [A, B]}` →
 * `<A.B>`, `Fn::Join` concatenated, anything else as JSON.
 */
export function nagForm(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    const att = v['Fn::GetAtt'];
    if (Array.isArray(att)) return `<${att.join('.')}>`;
    const join = v['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(nagForm).join(String(join[0]));
  }
  return JSON.stringify(value);
}

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * cdk-nag (AwsSolutions) acknowledgements of the hub. Each names the finding exactly (cdk-nag 3.x
 * has no prefix matching) and says why the rule does not apply; everything else is fixed in code.
 */
export function acknowledgeFindings(hub: HubStack): void {
  const stack = Stack.of(hub);
  for (const [name, grants] of hub.wildcardGrants) {
    const { role } = hub.functions.get(name);
    for (const { resource, reason } of grants) {
      acknowledge(role, `AwsSolutions-IAM5[Resource::${nagForm(stack.resolve(resource))}]`, reason);
    }
  }
  for (const { fn } of hub.functions.byName.values()) {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'nodejs22.x on purpose: the build targets node22 and the SDK v3 it ships; runtime and esbuild target move together',
    );
  }
  for (const sm of hub.stateMachines.values()) {
    acknowledge(
      sm.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and vended-log delivery accept only Resource "*"',
    );
  }
  for (const queue of hub.failureQueues.values()) {
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      "this queue is a Lambda function's on-failure destination; cdk-nag only recognises SQS redrive DLQs",
    );
  }
  for (const rule of hub.rules.values()) {
    acknowledge(
      rule.deadLetterQueue,
      'AwsSolutions-SQS3',
      'this queue is the dead-letter queue of an EventBridge rule target; cdk-nag only recognises SQS redrive DLQs',
    );
  }
}

/** cdk-nag acknowledgements of the network stack: the operator role's wildcards, each with its reason. */
export function acknowledgeNetworkFindings(network: NetworkStack): void {
  acknowledge(
    network.operatorRole,
    'AwsSolutions-IAM5[Resource::*]',
    'EC2 Describe*, Get*Associations/Propagations, SearchTransitGatewayRoutes and GetIpamPoolAllocations accept only Resource "*"',
  );
  for (const kind of ['transit-gateway-route-table', 'transit-gateway-attachment']) {
    acknowledge(
      network.operatorRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${network.region}:${network.account}:${kind}/*]`,
      'route tables and attachments of vended accounts are created at run time; scoped to this account and region',
    );
  }
}
