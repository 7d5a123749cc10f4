import { parsePolicy } from '../../policy';
import type { CompiledPolicy } from '../../policy/types';

/**
 * The AWS managed policies the sandbox knows (`arn:aws:iam::aws:policy/…`): what `AttachRolePolicy`
 * accepts, what `GetPolicy`/`GetPolicyVersion` show, and what the evaluator applies to a role that
 * has them attached. Metadata (PolicyId, path, dates, default version) and documents are AWS's,
 * from the AWS Managed Policy reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/),
 * except where an entry says it approximates.
 */

/** One AWS managed policy. */
export interface AwsManagedPolicy {
  readonly PolicyName: string;
  readonly PolicyId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly Description: string;
  readonly DefaultVersionId: string;
  readonly CreateDate: string;
  readonly UpdateDate: string;
  readonly document: string;
}

const doc = (...statements: Record<string, unknown>[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

const entry = (
  name: string,
  path: string,
  fields: Omit<AwsManagedPolicy, 'PolicyName' | 'Arn' | 'Path'>,
): AwsManagedPolicy => ({ PolicyName: name, Arn: `arn:aws:iam::aws:policy${path}${name}`, Path: path, ...fields });

/** The catalogue, by ARN. */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  [
    entry('AdministratorAccess', '/', {
      PolicyId: 'ANPAIWMBCKSKIEE64ZLYK',
      Description: 'Provides full access to AWS services and resources.',
      DefaultVersionId: 'v1',
      CreateDate: '2015-02-06T18:39:46Z',
      UpdateDate: '2015-02-06T18:39:46Z',
      document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    }),
    // v12 (edited 2026-02-12), copied statement for statement.
    entry('PowerUserAccess', '/', {
      PolicyId: 'ANPAJYRXTHIB4FOVS3ZXS',
      Description:
        'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
      DefaultVersionId: 'v12',
      CreateDate: '2015-02-06T18:39:47Z',
      UpdateDate: '2026-02-12T17:59:00Z',
      document: doc(
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetGovCloudAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeEffectivePolicy',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ),
    }),
    // APPROXIMATION: the real document lists several thousand service-specific read actions; the
    // sandbox grants every service's Describe*/Get*/List*, which covers what vendguard reads.
    entry('ReadOnlyAccess', '/', {
      PolicyId: 'ANPAILL3HVNFSB6DCOWYQ',
      Description: 'Provides read-only access to AWS services and resources.',
      DefaultVersionId: 'v119',
      CreateDate: '2015-02-06T18:39:48Z',
      UpdateDate: '2015-02-06T18:39:48Z',
      document: doc({ Effect: 'Allow', Action: ['*:Describe*', '*:Get*', '*:List*'], Resource: '*' }),
    }),
    // APPROXIMATION: the real job-function policy (v45) lists List*/Describe* and a few Get* actions
    // service by service; the sandbox grants every service's Describe* and List*.
    entry('ViewOnlyAccess', '/job-function/', {
      PolicyId: 'ANPAID22R6XPJATWOFDK6',
      Description: 'This policy grants permissions to view resources and basic metadata across all AWS services.',
      DefaultVersionId: 'v45',
      CreateDate: '2016-11-10T17:20:00Z',
      UpdateDate: '2026-04-22T18:12:00Z',
      document: doc({ Effect: 'Allow', Action: ['*:Describe*', '*:List*'], Resource: '*' }),
    }),
    entry('AWSLambdaBasicExecutionRole', '/service-role/', {
      PolicyId: 'ANPAJNCQGXC42545SKXIK',
      Description: 'Provides write permissions to CloudWatch Logs.',
      DefaultVersionId: 'v1',
      CreateDate: '2015-04-09T15:03:43Z',
      UpdateDate: '2015-04-09T15:03:43Z',
      document: doc({
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      }),
    }),
  ].map((p) => [p.Arn, p]),
);

/** The catalogue entry of an AWS managed policy ARN, or undefined. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.get(arn);
}

const compiled = new Map<string, CompiledPolicy>();

/**
 * The compiled document of an AWS managed policy (compiled once, then shared), or undefined for an
 * ARN the catalogue does not have.
 *
 * @example
 * const admin = managedPolicy('arn:aws:iam::aws:policy/AdministratorAccess');
 */
export function managedPolicy(arn: string): CompiledPolicy | undefined {
  const cached = compiled.get(arn);
  if (cached) return cached;
  const policy = AWS_MANAGED_POLICIES.get(arn);
  if (!policy) return undefined;
  const result = parsePolicy(policy.document, 'identity', { kind: 'identity', name: arn });
  compiled.set(arn, result);
  return result;
}
