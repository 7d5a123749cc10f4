import type { Principal, SandboxRuntime } from '../../core/types';
import { ResourceFailure } from './resources';

/**
 * Whose authority a stack's resource calls carry. CloudFormation makes each resource with the
 * permissions of whoever deployed the stack (or of the stack's service role), so a principal allowed
 * `cloudformation:CreateStack` but not `iam:CreateRole` cannot make a role through a stack. Stack set
 * instances are made by the stack set's execution role (for service-managed stack sets a
 * service-linked role, which SCPs never restrict): they are not checked here.
 */

/** The IAM action CloudFormation's handler calls first for a type, where it is not `<service>:Create<Resource>`. */
const CREATE_ACTIONS: Readonly<Record<string, string>> = {
  'AWS::IAM::Policy': 'iam:PutRolePolicy',
  'AWS::Events::Rule': 'events:PutRule',
  'AWS::Events::EventBusPolicy': 'events:PutPermission',
  'AWS::CloudWatch::Alarm': 'cloudwatch:PutMetricAlarm',
  'AWS::StepFunctions::StateMachine': 'states:CreateStateMachine',
  'AWS::EC2::SubnetRouteTableAssociation': 'ec2:AssociateRouteTable',
  'AWS::EC2::TransitGatewayAttachment': 'ec2:CreateTransitGatewayVpcAttachment',
  'AWS::EC2::TransitGatewayRouteTableAssociation': 'ec2:AssociateTransitGatewayRouteTable',
  'AWS::EC2::TransitGatewayRouteTablePropagation': 'ec2:EnableTransitGatewayRouteTablePropagation',
  'AWS::EC2::VPCGatewayAttachment': 'ec2:AttachInternetGateway',
  'AWS::EC2::EIP': 'ec2:AllocateAddress',
  'AWS::EC2::SecurityGroupIngress': 'ec2:AuthorizeSecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress': 'ec2:AuthorizeSecurityGroupEgress',
  'AWS::Lambda::Permission': 'lambda:AddPermission',
  'AWS::Lambda::EventInvokeConfig': 'lambda:PutFunctionEventInvokeConfig',
  'AWS::SQS::QueuePolicy': 'sqs:SetQueueAttributes',
  'AWS::SNS::TopicPolicy': 'sns:SetTopicAttributes',
  'AWS::SNS::Subscription': 'sns:Subscribe',
};

/** The action that creates a resource of a type (`AWS::SQS::Queue` → `sqs:CreateQueue`). */
export function createAction(type: string): string {
  const known = CREATE_ACTIONS[type];
  if (known) return known;
  const [, service = '', resource = ''] = type.split('::');
  return `${service.toLowerCase()}:Create${resource}`;
}

/** The resource ARN a check names: the role for IAM roles (where SCPs name exact roles), else `*`. */
function resourceArn(account: string, type: string, props: Record<string, unknown>): string {
  if (type === 'AWS::IAM::Role' && typeof props.RoleName === 'string') {
    const path = typeof props.Path === 'string' ? props.Path : '/';
    return `arn:aws:iam::${account}:role${path}${props.RoleName}`;
  }
  return '*';
}

/**
 * The tags a resource asks for, as the create call's condition keys (`aws:RequestTag/<k>`,
 * `aws:TagKeys`): CloudFormation passes a resource's `Tags` to the create call, so an SCP that denies
 * a tag key (protect-security's `vendguard:*`) refuses the resource. `Tags` is a list of `{Key,
 * Value}` on most types, a map on some (`AWS::SSM::Parameter`).
 */
export function requestTagContext(props: Record<string, unknown>): Record<string, string | string[]> {
  const tags = props.Tags;
  const pairs: [string, string][] = Array.isArray(tags)
    ? tags
        .map((t) => t as { Key?: unknown; Value?: unknown })
        .filter((t) => typeof t?.Key === 'string')
        .map((t) => [t.Key as string, String(t.Value ?? '')])
    : tags && typeof tags === 'object'
      ? Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)])
      : [];
  if (pairs.length === 0) return {};
  return {
    'aws:TagKeys': pairs.map(([k]) => k),
    ...Object.fromEntries(pairs.map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  };
}

/**
 * Throws a resource failure naming the action when the stack's principal may not create a resource
 * (its identity policies, its account's SCPs). Also checks `iam:PassRole` for a role a resource
 * hands to a service (a function's `Role`, a state machine's `RoleArn`, a rule target's `RoleArn`).
 */
export function checkStackAuthority(
  runtime: SandboxRuntime,
  principal: Principal | undefined,
  where: { account: string; region: string },
  type: string,
  props: Record<string, unknown>,
): void {
  if (!principal || !runtime.authorize) return;
  const checks: { action: string; resource: string; context?: Record<string, string | string[]> }[] = [
    {
      action: createAction(type),
      resource: resourceArn(where.account, type, props),
      context: requestTagContext(props),
    },
  ];
  const passed = [
    props.Role,
    props.RoleArn,
    ...(Array.isArray(props.Targets) ? props.Targets.map((t) => (t as { RoleArn?: unknown })?.RoleArn) : []),
  ];
  for (const role of passed) {
    if (typeof role === 'string' && role.startsWith('arn:aws:iam::'))
      checks.push({ action: 'iam:PassRole', resource: role });
  }
  for (const check of checks) {
    const denial = runtime.authorize({
      principal,
      action: check.action,
      resources: [check.resource],
      region: where.region,
      ...(check.context ? { context: check.context } : {}),
    });
    if (denial) throw new ResourceFailure(denial, 'AccessDenied');
  }
}
