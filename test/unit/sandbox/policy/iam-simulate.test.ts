// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are ${…} on purpose
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { authorize, parsePolicy } from '../../../../sandbox/policy';
import type { AuthPrincipal } from '../../../../sandbox/policy/types';

/**
 * Cross-checks the evaluator against @cloud-copilot/iam-simulate (AGPL, a devDependency used by this
 * test only) on identity policies: both must reach the same outcome for every case.
 */

const ACCOUNT = '111111111111';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const DEV = `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/s1`;
const OBJ = 'arn:aws:s3:::vendguard-data/reports/q1.csv';
const BUCKET = 'arn:aws:s3:::vendguard-data';
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`;
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:alerts`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app-runner`;

type Outcome = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

interface Case {
  readonly name: string;
  readonly statements: readonly object[];
  readonly action: string;
  readonly resource: string;
  readonly principal?: string;
  readonly context?: Record<string, string | string[]>;
  /** The outcome both must reach. */
  readonly expected: Outcome;
}

const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});

const CASES: readonly Case[] = [
  {
    name: 'a prefix wildcard action allows',
    statements: [allow('s3:Get*', `${BUCKET}/*`)],
    action: 's3:GetObject',
    resource: OBJ,
    expected: 'Allowed',
  },
  {
    name: 'an unlisted action is implicitly denied',
    statements: [allow('s3:Get*', `${BUCKET}/*`)],
    action: 's3:PutObject',
    resource: OBJ,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'an explicit deny beats an allow',
    statements: [allow('s3:*'), deny('s3:DeleteObject')],
    action: 's3:DeleteObject',
    resource: OBJ,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'NotAction allows outside the list',
    statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    expected: 'Allowed',
  },
  {
    name: 'NotAction excludes the list',
    statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    action: 'iam:PassRole',
    resource: ROLE,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'a NotResource deny protects everything but the list',
    statements: [allow('s3:*'), { Effect: 'Deny', Action: 's3:PutObject', NotResource: 'arn:aws:s3:::scratch/*' }],
    action: 's3:PutObject',
    resource: OBJ,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'a mid-string action wildcard matches',
    statements: [allow('dynamodb:*Item', TABLE)],
    action: 'dynamodb:GetItem',
    resource: TABLE,
    expected: 'Allowed',
  },
  {
    name: 'actions match case-insensitively',
    statements: [allow('DynamoDB:getitem', TABLE)],
    action: 'dynamodb:GetItem',
    resource: TABLE,
    expected: 'Allowed',
  },
  {
    name: '? matches one character in an action',
    statements: [allow('sqs:Send?essage', QUEUE)],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    expected: 'Allowed',
  },
  {
    name: 'the resource part is case-sensitive',
    statements: [allow('s3:GetObject', 'arn:aws:s3:::vendguard-data/Reports/*')],
    action: 's3:GetObject',
    resource: OBJ,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'a region wildcard matches',
    statements: [allow('dynamodb:GetItem', `arn:aws:dynamodb:*:${ACCOUNT}:table/orders`)],
    action: 'dynamodb:GetItem',
    resource: TABLE,
    expected: 'Allowed',
  },
  {
    name: 'a ${aws:username} resource matches the caller',
    statements: [allow('s3:GetObject', 'arn:aws:s3:::vendguard-data/home/${aws:username}/*')],
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::vendguard-data/home/alice/notes.txt',
    context: { 'aws:username': 'alice' },
    expected: 'Allowed',
  },
  {
    name: 'a ${aws:username} resource does not match another user',
    statements: [allow('s3:GetObject', 'arn:aws:s3:::vendguard-data/home/${aws:username}/*')],
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::vendguard-data/home/bob/notes.txt',
    context: { 'aws:username': 'alice' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'StringEquals on the requested region allows',
    statements: [
      allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } } }),
    ],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:RequestedRegion': 'eu-west-1' },
    expected: 'Allowed',
  },
  {
    name: 'StringEquals on another region does not',
    statements: [allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:RequestedRegion': 'eu-west-1' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'a StringNotEquals deny applies when the key is absent',
    statements: [allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'StringLike on s3:prefix allows a listed folder',
    statements: [
      allow('s3:ListBucket', BUCKET, { Condition: { StringLike: { 's3:prefix': ['reports/*', 'public/*'] } } }),
    ],
    action: 's3:ListBucket',
    resource: BUCKET,
    context: { 's3:prefix': 'reports/2026/' },
    expected: 'Allowed',
  },
  {
    name: 'StringEqualsIfExists holds when the key is absent',
    statements: [allow('s3:ListBucket', BUCKET, { Condition: { StringEqualsIfExists: { 's3:prefix': 'reports/' } } })],
    action: 's3:ListBucket',
    resource: BUCKET,
    expected: 'Allowed',
  },
  {
    name: 'Null "true" denies requests without the key',
    statements: [allow('*'), deny('sqs:*', '*', { Condition: { Null: { 'aws:PrincipalTag/team': 'true' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'Bool denies insecure transport',
    statements: [allow('s3:*'), deny('s3:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
    action: 's3:GetObject',
    resource: OBJ,
    context: { 'aws:SecureTransport': 'false' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'NumericLessThanEquals on s3:max-keys allows',
    statements: [allow('s3:ListBucket', BUCKET, { Condition: { NumericLessThanEquals: { 's3:max-keys': '100' } } })],
    action: 's3:ListBucket',
    resource: BUCKET,
    context: { 's3:max-keys': '50' },
    expected: 'Allowed',
  },
  {
    name: 'DateLessThan on aws:CurrentTime refuses after the date',
    statements: [allow('sqs:*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:CurrentTime': '2026-03-01T00:00:00Z' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'IpAddress allows from the office range',
    statements: [allow('sqs:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:SourceIp': '203.0.113.42' },
    expected: 'Allowed',
  },
  {
    name: 'NotIpAddress denies outside the office range',
    statements: [allow('*'), deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:SourceIp': '198.51.100.1' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'an SCP-style ArnNotLike aws:PrincipalArn deny spares the listed role',
    statements: [
      allow('*'),
      deny('iam:*', '*', { Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Developer' } } }),
    ],
    action: 'iam:PassRole',
    resource: ROLE,
    principal: DEV,
    context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Developer` },
    expected: 'Allowed',
  },
  {
    name: 'ArnLike aws:PrincipalArn refuses another role',
    statements: [
      allow('iam:PassRole', '*', { Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/vendguard-*' } } }),
    ],
    action: 'iam:PassRole',
    resource: ROLE,
    principal: DEV,
    context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Developer` },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ForAnyValue:StringEquals on aws:TagKeys allows with one listed key',
    statements: [
      allow('sqs:*', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } } }),
    ],
    action: 'sqs:TagQueue',
    resource: QUEUE,
    context: { 'aws:TagKeys': ['owner', 'cost'] },
    expected: 'Allowed',
  },
  {
    name: 'ForAllValues:StringEquals on aws:TagKeys refuses an unlisted key',
    statements: [
      allow('sqs:*', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } } }),
    ],
    action: 'sqs:TagQueue',
    resource: QUEUE,
    context: { 'aws:TagKeys': ['owner', 'secret'] },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ForAllValues holds when the key is absent',
    statements: [allow('sqs:*', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } } })],
    action: 'sqs:TagQueue',
    resource: QUEUE,
    expected: 'Allowed',
  },
  {
    name: 'an operator without a set qualifier does not match a multivalued key',
    statements: [allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } })],
    action: 'sqs:TagQueue',
    resource: QUEUE,
    context: { 'aws:TagKeys': ['env'] },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'StringEqualsIgnoreCase on a principal tag allows',
    statements: [allow('sqs:*', '*', { Condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'OPS' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:PrincipalTag/team': 'ops' },
    expected: 'Allowed',
  },
  {
    name: 'a resource tag equal to ${aws:username} allows (ABAC)',
    statements: [allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:ResourceTag/owner': 'alice', 'aws:username': 'alice' },
    expected: 'Allowed',
  },
  {
    name: 'conditions of one statement are ANDed',
    statements: [
      allow('sqs:*', '*', {
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' }, Bool: { 'aws:SecureTransport': 'true' } },
      }),
    ],
    action: 'sqs:SendMessage',
    resource: QUEUE,
    context: { 'aws:RequestedRegion': 'eu-west-1', 'aws:SecureTransport': 'false' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'a wildcard-only action is matched by Resource "*" only',
    statements: [allow('ec2:DescribeInstances', `arn:aws:ec2:*:${ACCOUNT}:instance/*`)],
    action: 'ec2:DescribeInstances',
    resource: '*',
    expected: 'ImplicitlyDenied',
  },
];

function authPrincipal(arn: string): AuthPrincipal {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (session) return { arn, accountId: session[1]!, roleArn: `arn:aws:iam::${session[1]}:role/${session[2]}` };
  return { arn, accountId: arn.split(':')[4]! };
}

async function simulate(c: Case): Promise<Outcome> {
  const document = { Version: '2012-10-17', Statement: c.statements };
  const simulation: Simulation = {
    request: {
      principal: c.principal ?? ALICE,
      action: c.action,
      resource: { resource: c.resource, accountId: ACCOUNT },
      contextVariables: c.context ?? {},
    },
    identityPolicies: [{ name: 'spec', policy: document }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error')
    throw new Error(`iam-simulate refused ${c.name}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Outcome;
}

function evaluate(c: Case): Outcome {
  const policy = parsePolicy({ Version: '2012-10-17', Statement: c.statements }, 'identity', {
    kind: 'identity',
    name: 'spec',
  });
  const decision = authorize(
    { scpLevels: [], identity: [policy] },
    {
      action: c.action,
      resource: c.resource,
      principal: authPrincipal(c.principal ?? ALICE),
      context: c.context ?? {},
    },
  );
  if (decision.allowed) return 'Allowed';
  return decision.denial === 'explicit' ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
}

describe('evaluator agrees with @cloud-copilot/iam-simulate', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const theirs = await simulate(c);
    expect({ ours: evaluate(c), theirs }).toEqual({ ours: c.expected, theirs: c.expected });
  });
});
