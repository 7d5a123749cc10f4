/**
 * CloudFormation stacks of their own (what `cdk deploy` uses): create, update, delete, change sets,
 * resources, events and outputs through the SDK; a failed resource rolls the stack back naming it;
 * and a template synthesized from the CDK app deploys through the same providers.
 */
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { ListPoliciesForTargetCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type Assembly, synthesize } from '../../../sandbox/cdk/assembly';
import { STACK_TABLES } from '../../../sandbox/services/cloudformation';
import { peekQueue } from '../../../sandbox/services/sqs/api';
import { moveToRoot, startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let cfn: CloudFormationClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  cfn = sb.client(CloudFormationClient);
}, 30_000);
afterAll(() => sb?.stop());

/** Waits until a deleted stack is gone (DescribeStacks by name answers "does not exist"). */
async function deleted(name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await cfn.send(new DescribeStacksCommand({ StackName: name }));
    } catch (error) {
      if ((error as Error).message === `Stack with id ${name} does not exist`) return;
      throw error;
    }
    if (Date.now() > deadline) throw new Error(`stack ${name} was not deleted`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function settled(name: string): Promise<Stack> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
    if (stack && /(_COMPLETE|_FAILED)$/.test(stack.StackStatus ?? '') && !stack.StackStatus?.endsWith('IN_PROGRESS')) {
      return stack;
    }
    if (Date.now() > deadline) throw new Error(`stack ${name} did not settle: ${stack?.StackStatus}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const NETWORK = `
Description: a VPC and a rule
Parameters:
  Cidr:
    Type: String
    Default: 10.30.0.0/16
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref Cidr
      Tags: [{ Key: Name, Value: stacks-test }]
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      State: DISABLED
Outputs:
  VpcId:
    Value: !Ref Vpc
  RuleArn:
    Value: !GetAtt Nightly.Arn
`;

describe('a stack', () => {
  it('is created with its resources, events and outputs, and its template is kept', async () => {
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'net', TemplateBody: NETWORK }));
    expect(StackId).toMatch(/^arn:aws:cloudformation:eu-west-1:100000000001:stack\/net\/[0-9a-f-]{36}$/);
    const stack = await settled('net');
    expect(stack).toMatchObject({ StackStatus: 'CREATE_COMPLETE', Description: 'a VPC and a rule' });
    const vpcs = await sb
      .client(EC2Client)
      .send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['stacks-test'] }] }));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId;
    expect(stack.Outputs).toEqual(
      expect.arrayContaining([
        { OutputKey: 'VpcId', OutputValue: vpcId },
        {
          OutputKey: 'RuleArn',
          OutputValue: expect.stringMatching(/^arn:aws:events:eu-west-1:100000000001:rule\/net-Nightly-/),
        },
      ]),
    );
    const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: 'net' }))).StackResourceSummaries;
    expect(resources?.map((r) => [r.LogicalResourceId, r.ResourceType, r.ResourceStatus])).toEqual([
      ['Vpc', 'AWS::EC2::VPC', 'CREATE_COMPLETE'],
      ['Nightly', 'AWS::Events::Rule', 'CREATE_COMPLETE'],
    ]);
    expect((await cfn.send(new GetTemplateCommand({ StackName: 'net' }))).TemplateBody).toBe(NETWORK);
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'net' }))).StackEvents ?? [];
    expect(events[0]).toMatchObject({ LogicalResourceId: 'net', ResourceStatus: 'CREATE_COMPLETE' });
    expect(events.at(-1)).toMatchObject({
      ResourceStatus: 'CREATE_IN_PROGRESS',
      ResourceStatusReason: 'User Initiated',
    });
    await expect(cfn.send(new CreateStackCommand({ StackName: 'net', TemplateBody: NETWORK }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    // `vendguard sandbox status` lists it
    const { buildProgram } = await import('../../../cli/main');
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      lines.push(parts.join(' '));
    });
    const saved = process.env.AWS_ENDPOINT_URL;
    try {
      await buildProgram().parseAsync([
        'node',
        'vendguard',
        '--endpoint-url',
        sb.endpoint,
        'sandbox',
        'status',
        '--json',
      ]);
    } finally {
      log.mockRestore();
      process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(JSON.parse(lines.join('\n')).stacks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'net',
          account: '100000000001',
          region: 'eu-west-1',
          status: 'CREATE_COMPLETE',
          resources: 2,
        }),
      ]),
    );
  });

  it('updates to a new template and refuses an update that changes nothing', async () => {
    await expect(cfn.send(new UpdateStackCommand({ StackName: 'net', TemplateBody: NETWORK }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'No updates are to be performed.',
    });
    const withoutRule = NETWORK.replace(/ {2}Nightly:[\s\S]*?State: DISABLED\n/, '').replace(/ {2}RuleArn:\n.*\n/, '');
    await cfn.send(new UpdateStackCommand({ StackName: 'net', TemplateBody: withoutRule }));
    expect((await settled('net')).StackStatus).toBe('UPDATE_COMPLETE');
    const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: 'net' }))).StackResourceSummaries;
    expect(resources?.map((r) => r.LogicalResourceId)).toEqual(['Vpc']);
  });

  it('rolls back a resource the sandbox cannot create, naming it, and is deleted', async () => {
    const body = NETWORK.replace('10.30.0.0/16', '10.31.0.0/16').replace(
      /Outputs:[\s\S]*$/,
      '  Queue:\n    Type: AWS::Fake::Queue\n',
    );
    await cfn.send(new CreateStackCommand({ StackName: 'broken', TemplateBody: body }));
    const stack = await settled('broken');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(stack.StackStatusReason).toContain('[Queue]');
    await expect(
      cfn.send(new UpdateStackCommand({ StackName: 'broken', TemplateBody: NETWORK })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('is in ROLLBACK_COMPLETE state and can not be updated'),
    });
    await cfn.send(new DeleteStackCommand({ StackName: 'broken' }));
    await deleted('broken');
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'broken' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id broken does not exist',
    });
  });
});

describe("whose authority a stack's resources carry", () => {
  const ROLE = JSON.stringify({
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'made-by-a-stack',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
    },
  });

  async function settledIn(client: CloudFormationClient, name: string): Promise<Stack> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [stack] = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      if (stack && !stack.StackStatus?.endsWith('IN_PROGRESS')) return stack;
      if (Date.now() > deadline) throw new Error(`stack ${name} did not settle`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("makes resources with the deployer's permissions: a developer cannot make a role through a stack", async () => {
    const account = sb.accountId('eks-shared');
    const developer = sb.client(CloudFormationClient, { accountId: account, role: 'Developer' });
    await developer.send(
      new CreateStackCommand({ StackName: 'dev-role', TemplateBody: ROLE, Capabilities: ['CAPABILITY_NAMED_IAM'] }),
    );
    const refused = await settledIn(developer, 'dev-role');
    expect(refused.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(refused.StackStatusReason).toMatch(
      /is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::\d{12}:role\/made-by-a-stack/,
    );
    expect(refused.StackStatusReason).toContain('HandlerErrorCode: AccessDenied');
    // the same developer may make what its policies allow
    await developer.send(
      new CreateStackCommand({ StackName: 'dev-vpc', TemplateBody: NETWORK.replace('10.30.0.0/16', '10.34.0.0/16') }),
    );
    expect((await settledIn(developer, 'dev-vpc')).StackStatus).toBe('CREATE_COMPLETE');
  });

  it('asks for the tags of each resource: an SCP that denies a tag key refuses the resource that carries it', async () => {
    // eks-shared is under Infrastructure, where protect-security denies vendguard:* tag keys to all but
    // the stack set and remediation roles
    const admin = sb.client(CloudFormationClient, { accountId: sb.accountId('eks-shared') });
    const vpc = (key: string, cidr: string) =>
      JSON.stringify({
        Resources: {
          Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr, Tags: [{ Key: key, Value: 'x' }] } },
        },
      });
    await admin.send(
      new CreateStackCommand({ StackName: 'tagged-vendguard', TemplateBody: vpc('vendguard:owner', '10.41.0.0/16') }),
    );
    const refused = await settledIn(admin, 'tagged-vendguard');
    expect(refused.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(refused.StackStatusReason).toMatch(/ec2:CreateVpc .*explicit deny in a service control policy/i);
    await admin.send(new CreateStackCommand({ StackName: 'tagged-team', TemplateBody: vpc('team', '10.42.0.0/16') }));
    expect((await settledIn(admin, 'tagged-team')).StackStatus).toBe('CREATE_COMPLETE');
  });

  it("uses the stack's service role instead of the caller when given, and refuses a role CloudFormation cannot assume", async () => {
    const account = sb.accountId('eks-shared');
    const iam = sb.client(IAMClient, { accountId: account, region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'cfn-network-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'cfn-network-only',
        PolicyName: 'ec2',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }],
        }),
      }),
    );
    const admin = sb.client(CloudFormationClient, { accountId: account });
    await admin.send(
      new CreateStackCommand({
        StackName: 'admin-through-role',
        TemplateBody: ROLE,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        RoleARN: `arn:aws:iam::${account}:role/cfn-network-only`,
      }),
    );
    const refused = await settledIn(admin, 'admin-through-role');
    expect(refused.StackStatusReason).toContain(
      'assumed-role/cfn-network-only/AWSCloudFormation is not authorized to perform: iam:CreateRole',
    );
    await expect(
      admin.send(
        new CreateStackCommand({
          StackName: 'untrusted-role',
          TemplateBody: ROLE,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          RoleARN: `arn:aws:iam::${account}:role/Developer`,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Role arn:aws:iam::${account}:role/Developer is invalid or cannot be assumed`,
    });
  });

  it('executes a change set as the service role it was made with, checking the role when it is made', async () => {
    const account = sb.accountId('eks-shared');
    const iam = sb.client(IAMClient, { accountId: account, region: 'us-east-1' });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'cfn-change-set-ec2-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'cfn-change-set-ec2-only',
        PolicyName: 'ec2',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }],
        }),
      }),
    );
    const RoleARN = `arn:aws:iam::${account}:role/cfn-change-set-ec2-only`;
    const admin = sb.client(CloudFormationClient, { accountId: account });
    const { Id } = await admin.send(
      new CreateChangeSetCommand({
        StackName: 'role-by-change-set',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: ROLE,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        RoleARN,
      }),
    );
    await admin.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
    const refused = await settledIn(admin, 'role-by-change-set');
    expect(refused).toMatchObject({ StackStatus: 'ROLLBACK_COMPLETE', RoleARN });
    expect(refused.StackStatusReason).toContain(
      'assumed-role/cfn-change-set-ec2-only/AWSCloudFormation is not authorized to perform: iam:CreateRole',
    );
    await expect(
      admin.send(
        new CreateChangeSetCommand({
          StackName: 'untrusted-change-set',
          ChangeSetName: 'first',
          ChangeSetType: 'CREATE',
          TemplateBody: ROLE,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          RoleARN: `arn:aws:iam::${account}:role/Developer`,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Role arn:aws:iam::${account}:role/Developer is invalid or cannot be assumed`,
    });
  });
});

describe('the hub resource types', () => {
  const HUB = JSON.stringify({
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'stack-table',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'stack-machine',
          RoleArn: 'arn:aws:iam::100000000001:role/vendguard-state-machine',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution, not a JS template
          DefinitionString: '{"StartAt":"Done","States":{"Done":{"Type":"Pass","Result":"${Table}","End":true}}}',
          DefinitionSubstitutions: { Table: { Ref: 'Table' } },
        },
      },
    },
  });

  it('makes a DynamoDB table and a state machine (with its substitutions), and deletes them with the stack', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'hub-types', TemplateBody: HUB }));
    expect((await settled('hub-types')).StackStatus).toBe('CREATE_COMPLETE');
    const table = await sb.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'stack-table' }));
    expect(table.Table?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:100000000001:table/stack-table');
    const machine = await sb.client(SFNClient).send(
      new DescribeStateMachineCommand({
        stateMachineArn: 'arn:aws:states:eu-west-1:100000000001:stateMachine:stack-machine',
      }),
    );
    expect(JSON.parse(machine.definition as string).States.Done.Result).toBe('stack-table');
    await cfn.send(new DeleteStackCommand({ StackName: 'hub-types' }));
    await deleted('hub-types');
    await expect(
      sb.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'stack-table' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('rolls back the table when a later resource fails, and names the table DynamoDB refuses', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'hub-types-again',
        TemplateBody: HUB.replace('stack-machine', 'stack machine!'),
      }),
    );
    const failed = await settled('hub-types-again');
    expect(failed.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(failed.StackStatusReason).toMatch(/^The following resource\(s\) failed to create: \[Machine\]/);
    await expect(
      sb.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'stack-table' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('the governance resource types', () => {
  it('makes a stack set and an SCP attached to its OU, and removes both with the stack', async () => {
    // Quarantine has room under the quota of 5 SCPs per target (Sandbox is full)
    const ou = sb.runtime.organizations.ouIdByPath('Quarantine');
    const template = JSON.stringify({
      Resources: {
        Set: {
          Type: 'AWS::CloudFormation::StackSet',
          Properties: {
            StackSetName: 'stacks-test-set',
            PermissionModel: 'SERVICE_MANAGED',
            AutoDeployment: { Enabled: false },
            ManagedExecution: { Active: true },
            CallAs: 'SELF',
            TemplateBody:
              'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.40.0.0/16\n',
          },
        },
        Scp: {
          Type: 'AWS::Organizations::Policy',
          Properties: {
            Name: 'stacks-test-scp',
            Description: 'deny nothing much',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Deny', Action: 'ec2:CreateVpnGateway', Resource: '*' }],
            },
            TargetIds: [ou],
          },
        },
      },
    });
    await cfn.send(new CreateStackCommand({ StackName: 'governance-types', TemplateBody: template }));
    const stack = await settled('governance-types');
    expect([stack.StackStatus, stack.StackStatusReason]).toEqual(['CREATE_COMPLETE', undefined]);
    const set = await cfn.send(new DescribeStackSetCommand({ StackSetName: 'stacks-test-set' }));
    expect(set.StackSet).toMatchObject({ PermissionModel: 'SERVICE_MANAGED', Status: 'ACTIVE' });
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const attached = await org.send(
      new ListPoliciesForTargetCommand({ TargetId: ou, Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    expect(attached.Policies?.map((p) => p.Name)).toContain('stacks-test-scp');
    await cfn.send(new DeleteStackCommand({ StackName: 'governance-types' }));
    await deleted('governance-types');
    const after = await org.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: 'SERVICE_CONTROL_POLICY' }));
    expect(after.Policies?.map((p) => p.Name)).not.toContain('stacks-test-scp');
    await expect(cfn.send(new DescribeStackSetCommand({ StackSetName: 'stacks-test-set' }))).rejects.toMatchObject({
      name: 'StackSetNotFoundException',
    });
  });
});

describe('change sets', () => {
  it('creates a stack through a CREATE change set, listing the resources to add', async () => {
    const template = NETWORK.replace('10.30.0.0/16', '10.32.0.0/16');
    const { Id } = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'by-change-set',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: template,
      }),
    );
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(described.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId])).toEqual([
      ['Add', 'Vpc'],
      ['Add', 'Nightly'],
    ]);
    const [review] = (await cfn.send(new DescribeStacksCommand({ StackName: 'by-change-set' }))).Stacks ?? [];
    expect(review?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
    expect((await settled('by-change-set')).StackStatus).toBe('CREATE_COMPLETE');

    const empty = await cfn.send(
      new CreateChangeSetCommand({ StackName: 'by-change-set', ChangeSetName: 'nothing', TemplateBody: template }),
    );
    expect(await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: empty.Id }))).toMatchObject({
      Status: 'FAILED',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
  });
});

describe('the synthesized CDK app', () => {
  let assembly: Assembly;
  beforeAll(async () => {
    // the accounts that stand in for a second hub leave their OUs: the protect-security SCP (rightly)
    // keeps a member from making vendguard-* roles, and a hub account is not a member of those OUs
    await moveToRoot(sb, 'log-archive');
    await moveToRoot(sb, 'security-tooling');
    assembly = await synthesize({
      root: join(__dirname, '..', '..', '..'),
      cacheDir: join(sb.home, 'cdk.out'),
      context: { 'vendguard:organizationId': sb.runtime.organizations.organizationId },
    });
  }, 120_000);

  /** Deploys a stack of the assembly into an account (bootstrapped as `cdk bootstrap` leaves it) and waits. */
  async function deployInto(account: string, name: string): Promise<{ stack: Stack; client: CloudFormationClient }> {
    const found = assembly.stacks.find((s) => s.name === name);
    if (!found) throw new Error(`no stack ${name} in the assembly`);
    sb.runtime.store.put(STACK_TABLES.ssmParameters, `${account}/${found.region}//cdk-bootstrap/hnb659fds/version`, {
      Value: '27',
    });
    const client = sb.client(CloudFormationClient, { accountId: account, region: found.region });
    await client.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: JSON.stringify(found.template),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const deadline = Date.now() + 30_000;
    let stack: Stack | undefined;
    while (!stack || stack.StackStatus?.endsWith('IN_PROGRESS')) {
      [stack] = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      if (Date.now() > deadline) throw new Error(`not settled: ${stack?.StackStatus}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return { stack, client };
  }

  it('deploys VendguardHubGlobalEvents through the providers: its role, policy and forwarding rule are live', async () => {
    // a member account stands in for a second hub (the sandbox's own hub has these, deployed on start)
    const account = sb.accountId('log-archive');
    const { stack } = await deployInto(account, 'VendguardHubGlobalEvents');
    expect([stack.StackStatus, stack.StackStatusReason]).toEqual(['CREATE_COMPLETE', undefined]);
    const targets = await sb
      .client(EventBridgeClient, { accountId: account, region: 'us-east-1' })
      .send(new ListTargetsByRuleCommand({ Rule: 'vendguard-hub-forward-cloudtrail' }));
    expect(targets.Targets?.[0]).toMatchObject({
      Arn: `arn:aws:events:eu-west-1:${account}:event-bus/vendguard`,
      RoleArn: `arn:aws:iam::${account}:role/vendguard-hub-event-forwarder`,
    });
    const policy = await sb.client(IAMClient, { accountId: account, region: 'us-east-1' }).send(
      new GetRolePolicyCommand({
        RoleName: 'vendguard-hub-event-forwarder',
        PolicyName: 'ForwarderRoleDefaultPolicy6531A0F8',
      }),
    );
    expect(decodeURIComponent(policy.PolicyDocument as string)).toContain('events:PutEvents');
  });

  it('deploys the whole VendguardHub: every resource type of the hub template is live', async () => {
    // a second hub, in another account than the sandbox's own deployed hub
    const account = sb.accountId('security-tooling');
    const { stack, client } = await deployInto(account, 'VendguardHub');
    expect([stack.StackStatus, stack.StackStatusReason]).toEqual(['CREATE_COMPLETE', undefined]);
    const resources: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListStackResourcesCommand({ StackName: 'VendguardHub', NextToken: token }));
      resources.push(...(page.StackResourceSummaries ?? []));
      token = page.NextToken;
    } while (token);
    const hub = assembly.stacks.find((s) => s.name === 'VendguardHub');
    expect(resources).toHaveLength(Object.keys((hub?.template.Resources ?? {}) as object).length);
    const functions = await sb.client(LambdaClient, { accountId: account }).send(new ListFunctionsCommand({}));
    expect(functions.Functions?.map((f) => f.FunctionName)).toEqual(
      expect.arrayContaining(['vendguard-vend-start', 'vendguard-guard-internet-gateway', 'vendguard-notify-slack']),
    );
    const rule = await sb
      .client(EventBridgeClient, { accountId: account })
      .send(new ListTargetsByRuleCommand({ Rule: 'vendguard-igw-created', EventBusName: 'vendguard' }));
    expect(rule.Targets?.[0]).toMatchObject({
      Arn: `arn:aws:lambda:eu-west-1:${account}:function:vendguard-guard-internet-gateway`,
      DeadLetterConfig: { Arn: `arn:aws:sqs:eu-west-1:${account}:vendguard-igw-created-dlq` },
    });
    // a function EventBridge invokes keeps what fails after Lambda's retries
    const invokeConfig = await sb
      .client(LambdaClient, { accountId: account })
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'vendguard-guard-internet-gateway' }));
    expect(invokeConfig).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: `arn:aws:sqs:eu-west-1:${account}:vendguard-guard-internet-gateway-failures` },
      },
    });
    // an alarm reaches its topic: the topic policy admits CloudWatch (the enforceSSL policy alone did not)
    const cloudwatch = sb.client(CloudWatchClient, { accountId: account });
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: 'vendguard-igw-created-dlq-depth',
        StateValue: 'ALARM',
        StateReason: 'a test puts the alarm in ALARM',
      }),
    );
    const history = await cloudwatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'vendguard-igw-created-dlq-depth', HistoryItemType: 'Action' }),
    );
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      expect.stringMatching(/^Successfully executed action arn:aws:sns:eu-west-1:\d{12}:vendguard-alarms/),
    ]);
  }, 60_000);

  it("delivers the deployed hub's rules to its functions through Lambda, and parks what Lambda refuses in the rule's DLQ", async () => {
    const account = sb.accountId('security-tooling'); // deployed by the test above
    const bus = `arn:aws:events:eu-west-1:${account}:event-bus/vendguard`;
    const events = sb.client(EventBridgeClient, { accountId: account });
    const request = (detail: object) =>
      events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: bus,
              Source: 'vendguard.requests',
              DetailType: 'Account Request',
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
    const functionArn = `arn:aws:lambda:eu-west-1:${account}:function:vendguard-vend-start`;
    const invoked = async () => {
      const res = await fetch(
        `${sb.endpoint}/_sandbox/lambda/async-invocations?functionArn=${encodeURIComponent(functionArn)}`,
      );
      return ((await res.json()) as { invocations: unknown[] }).invocations.length;
    };
    await request({ probe: 1 });
    const deadline = Date.now() + 10_000;
    while ((await invoked()) < 1) {
      if (Date.now() > deadline) throw new Error('vend-start was not invoked through Lambda');
      await new Promise((r) => setTimeout(r, 20));
    }

    // without the function's permission for the rule, EventBridge may not invoke it: the event waits in the DLQ
    const lambda = sb.client(LambdaClient, { accountId: account });
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: 'vendguard-vend-start' }))).Policy as string,
    );
    for (const statement of policy.Statement as { Sid: string }[]) {
      await lambda.send(
        new RemovePermissionCommand({ FunctionName: 'vendguard-vend-start', StatementId: statement.Sid }),
      );
    }
    await request({ probe: 2 });
    const dlq = `arn:aws:sqs:eu-west-1:${account}:vendguard-account-request-dlq`;
    while ((peekQueue(sb.runtime, dlq) ?? []).length < 1) {
      if (Date.now() > deadline) throw new Error('the refused event did not reach the DLQ');
      await new Promise((r) => setTimeout(r, 20));
    }
    const [parked] = peekQueue(sb.runtime, dlq) ?? [];
    expect(JSON.parse(parked?.body as string)).toMatchObject({
      'detail-type': 'Account Request',
      detail: { probe: 2 },
    });
    expect(parked?.messageAttributes?.RULE_ARN?.StringValue).toBe(
      `arn:aws:events:eu-west-1:${account}:rule/vendguard/vendguard-account-request`,
    );
    expect(await invoked()).toBe(1);
  }, 30_000);

  it("runs the deployed hub's state machine tasks through Lambda, as the state machine's role", async () => {
    const account = sb.accountId('security-tooling'); // deployed above
    const sfn = sb.client(SFNClient, { accountId: account });
    const stateMachineArn = `arn:aws:states:eu-west-1:${account}:stateMachine:vendguard-account-vending`;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'through-lambda',
        input: JSON.stringify({ request: {}, requestId: 'through-lambda' }),
      }),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING') break;
      if (Date.now() > deadline) throw new Error('the execution did not end');
      await new Promise((r) => setTimeout(r, 20));
    }
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const scheduled = history.events?.find((e) => e.type === 'LambdaFunctionScheduled');
    expect(scheduled?.lambdaFunctionScheduledEventDetails?.resource).toBe(
      `arn:aws:lambda:eu-west-1:${account}:function:vendguard-vend-validate-request`,
    );
    const res = await fetch(`${sb.endpoint}/_sandbox/invocations?function=vend-validate-request&limit=50`);
    const invocations = ((await res.json()) as { invocations: { functionArn?: string }[] }).invocations;
    expect(invocations.map((i) => i.functionArn)).toContain(
      `arn:aws:lambda:eu-west-1:${account}:function:vendguard-vend-validate-request`,
    );
  }, 30_000);

  it('is refused when the account was not bootstrapped, as CloudFormation refuses it', async () => {
    const template = JSON.stringify({
      Parameters: {
        BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      },
      Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.33.0.0/16' } } },
    });
    // the hub account is bootstrapped (the sandbox deploys the app there); a member account is not
    const member = sb.client(CloudFormationClient, { accountId: sb.accountId('bastion') });
    await expect(
      member.send(new CreateStackCommand({ StackName: 'unbootstrapped', TemplateBody: template })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.',
    });
  });
});
