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
  const checks: { action: string; resource: string }[] = [
    { action: createAction(type), resource: resourceArn(where.account, type, props) },
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
    });
    if (denial) throw new ResourceFailure(denial, 'AccessDenied');
  }
}
