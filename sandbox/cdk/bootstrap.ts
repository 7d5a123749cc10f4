import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { LocalRuntime } from '../core/runtime';
import { STACK_TABLES } from '../services/cloudformation';
import { putRole } from '../services/iam/model';

/**
 * What `cdk bootstrap` leaves in an account that `cdk deploy` uses, and how the deployment takes
 * the account's deploy role (the CDK bootstrap template, `aws-cdk/lib/api/bootstrap/bootstrap-template.yaml`).
 */

/** The bootstrap qualifier and version `cdk bootstrap` leaves (CDK templates check the version). */
export const BOOTSTRAP = { qualifier: 'hnb659fds', version: '27' } as const;

/** The deploy role of a stack's account could not be assumed (the account is not bootstrapped for the hub). */
export class BootstrapRoleError extends Error {
  constructor(
    readonly roleArn: string,
    cause: Error,
  ) {
    super(`cannot assume the deploy role ${roleArn}: ${cause.message}`, { cause });
    this.name = 'BootstrapRoleError';
  }
}

/** The ARNs of the roles `cdk bootstrap` makes in an account and region (the bootstrap template's names). */
export function bootstrapRoles(account: string, region: string): { deploy: string; cfnExec: string } {
  const arn = (kind: string) =>
    `arn:aws:iam::${account}:role/cdk-${BOOTSTRAP.qualifier}-${kind}-role-${account}-${region}`;
  return { deploy: arn('deploy'), cfnExec: arn('cfn-exec') };
}

const roleName = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
const POLICY = (...statements: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement: statements });

/**
 * What `cdk bootstrap --trust <hub> --cloudformation-execution-policies
 * arn:aws:iam::aws:policy/AdministratorAccess` leaves in an account and region that a deployment
 * uses (written again on every call, as re-running `cdk bootstrap` updates them):
 * - the bootstrap version parameter `/cdk-bootstrap/hnb659fds/version` (CDK templates check it);
 * - the deploy role `cdk-hnb659fds-deploy-role-<account>-<region>`, trusting the account itself and
 *   the hub (without an external id), allowed to create and execute change sets, to pass the
 *   execution role and to read stacks (the template's `default` policy, less its S3 and KMS
 *   statements for the assets the sandbox does not stage; `cloudformation-read-only` stands in for
 *   the AWS managed `AWSCloudFormationReadOnlyAccess` it attaches, which the sandbox's IAM catalogue lacks);
 * - the execution role `cdk-hnb659fds-cfn-exec-role-<account>-<region>`, trusting CloudFormation,
 *   with AdministratorAccess: what the stack's resources are made as.
 *
 * @example
 * bootstrap(runtime, runtime.organizations.accountIdByName('network') as string, 'eu-west-1');
 */
export function bootstrap(runtime: LocalRuntime, account: string, region: string): void {
  const versionParameter = `/cdk-bootstrap/${BOOTSTRAP.qualifier}/version`;
  runtime.store.put(STACK_TABLES.ssmParameters, `${account}/${region}/${versionParameter}`, {
    Value: BOOTSTRAP.version,
  });
  const roles = bootstrapRoles(account, region);
  const trusted = [...new Set([account, runtime.managementAccountId])];
  const noExternalId = { Null: { 'sts:ExternalId': 'true' } };
  putRole(runtime.store, runtime.clock, account, {
    roleName: roleName(roles.deploy),
    trustPolicy: POLICY(
      ...trusted.flatMap((id) => [
        { Effect: 'Allow', Principal: { AWS: id }, Action: 'sts:AssumeRole', Condition: noExternalId },
        { Effect: 'Allow', Principal: { AWS: id }, Action: 'sts:TagSession' },
      ]),
    ),
    inlinePolicies: {
      default: POLICY(
        {
          Sid: 'DeployPermissions',
          Effect: 'Allow',
          Action: [
            'cloudformation:CreateChangeSet',
            'cloudformation:DeleteChangeSet',
            'cloudformation:ExecuteChangeSet',
            'cloudformation:CreateStack',
            'cloudformation:UpdateStack',
            'cloudformation:RollbackStack',
            'cloudformation:ContinueUpdateRollback',
          ],
          Resource: '*',
        },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: roles.cfnExec },
        {
          Sid: 'CliPermissions',
          Effect: 'Allow',
          Action: ['cloudformation:DeleteStack', 'cloudformation:UpdateTerminationProtection', 'sts:GetCallerIdentity'],
          Resource: '*',
        },
        {
          Sid: 'ReadVersion',
          Effect: 'Allow',
          Action: ['ssm:GetParameter', 'ssm:GetParameters'],
          Resource: `arn:aws:ssm:${region}:${account}:parameter${versionParameter}`,
        },
      ),
      'cloudformation-read-only': POLICY({
        Effect: 'Allow',
        Action: [
          'cloudformation:Describe*',
          'cloudformation:EstimateTemplateCost',
          'cloudformation:Get*',
          'cloudformation:List*',
          'cloudformation:ValidateTemplate',
          'cloudformation:Detect*',
        ],
        Resource: '*',
      }),
    },
    tags: { 'aws-cdk:bootstrap-role': 'deploy' },
  });
  putRole(runtime.store, runtime.clock, account, {
    roleName: roleName(roles.cfnExec),
    trustPolicy: POLICY({
      Effect: 'Allow',
      Principal: { Service: 'cloudformation.amazonaws.com' },
      Action: 'sts:AssumeRole',
    }),
    managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
}

/** How long before its end (on the sandbox clock) a deploy role session is taken again. */
const SESSION_MARGIN_MS = 5 * 60_000;

/**
 * The deploy role's session in a stack's account, as the CDK CLI takes it: `AssumeRole` with the
 * hub's credentials through the sandbox's STS. A provider that assumes the role again when the
 * session nears its end on the sandbox's clock, which a compressed clock can bring within a real
 * second; the expiration it tells the SDK is always near, so the SDK asks it before every request.
 */
export function deployRoleSession(runtime: LocalRuntime, endpoint: string, roleArn: string, region: string) {
  let session: { credentials: AwsCredentialIdentity; endsAtMs: number } | undefined;
  const provider: AwsCredentialIdentityProvider = async () => {
    if (!session || session.endsAtMs - runtime.clock.nowMs() < SESSION_MARGIN_MS) {
      const sts = new STSClient({ endpoint, region, credentials: runtime.hubCredentials(), maxAttempts: 3 });
      try {
        const { Credentials: c } = await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'aws-cdk-vendguard' }),
        );
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
        session = {
          credentials: {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          },
          endsAtMs: c.Expiration?.getTime() ?? runtime.clock.nowMs() + 3_600_000,
        };
      } catch (error) {
        throw new BootstrapRoleError(roleArn, error as Error);
      } finally {
        sts.destroy();
      }
    }
    return { ...session.credentials, expiration: new Date(Date.now() + 60_000) };
  };
  return provider;
}
