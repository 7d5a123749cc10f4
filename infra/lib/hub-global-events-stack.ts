import { Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { HUB_FORWARDING_RULE } from '../../events/rules';

export interface HubGlobalEventsStackProps extends StackProps {
  /** ARN of the central bus in the hub's home region. */
  readonly hubEventBusArn: string;
}

/**
 * The hub account's global events: IAM, Organizations and STS deliver their CloudTrail events to the
 * default bus in us-east-1, so when the hub's home region is another one, this stack (in us-east-1)
 * forwards them to the central bus with a role, as cross-region bus targets require.
 */
export class HubGlobalEventsStack extends Stack {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: HubGlobalEventsStackProps) {
    super(scope, id, props);
    const central = EventBus.fromEventBusArn(this, 'CentralBus', props.hubEventBusArn);
    const role = new Role(this, 'ForwarderRole', {
      roleName: HUB_FORWARDING_RULE.roleName,
      description:
        'Lets EventBridge forward the hub account us-east-1 events (IAM, Organizations, STS) to the vendguard bus',
      assumedBy: new ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      inlinePolicies: {
        'put-events-on-vendguard-bus': new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['events:PutEvents'],
              resources: [props.hubEventBusArn],
            }),
          ],
        }),
      },
    });
    this.rule = new Rule(this, 'ForwardCloudTrail', {
      ruleName: HUB_FORWARDING_RULE.name,
      description: HUB_FORWARDING_RULE.description,
      eventPattern: HUB_FORWARDING_RULE.pattern as unknown as Record<string, string[]>,
      targets: [new EventBusTarget(central, { role })],
    });
  }
}
