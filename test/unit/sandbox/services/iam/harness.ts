/**
 * The IAM service over the unit-test runtime: operations called directly with the decoded awsQuery
 * input, as the server would call them, in a chosen account.
 */
import type { AwsServiceError, ServiceDefinition } from '../../../../../sandbox/core/types';
import { createIamService } from '../../../../../sandbox/services/iam';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

export type Result = Record<string, unknown>;

export interface IamHarness {
  readonly rt: TestRuntime;
  readonly service: ServiceDefinition;
  /** The account calls are made in (a member account of the test organization). */
  readonly account: string;
  call(operation: string, input?: Result, accountId?: string): Promise<Result>;
  /** The error a call fails with (fails the test when it succeeds). */
  error(operation: string, input?: Result, accountId?: string): Promise<AwsServiceError>;
}

export function iamHarness(): IamHarness {
  const rt = createTestRuntime();
  const account = rt.addAccount('team-a-dev', 'Workloads/Prod');
  const service = createIamService(rt);
  const call = async (operation: string, input: Result = {}, accountId = account): Promise<Result> => {
    const handler = service.operations[operation];
    if (!handler) throw new Error(`no operation ${operation}`);
    return (await handler(input, rt.context(operation, { service: 'iam', accountId, region: 'us-east-1' }))) as Result;
  };
  const error = async (operation: string, input: Result = {}, accountId = account): Promise<AwsServiceError> => {
    const outcome = await call(operation, input, accountId).then(
      () => undefined,
      (e: unknown) => e as AwsServiceError,
    );
    if (!outcome) throw new Error(`${operation} succeeded but was expected to fail`);
    return outcome;
  };
  return { rt, service, account, call, error };
}

/** A trust policy letting Lambda assume the role. */
export const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** An identity policy allowing one action. */
export const allow = (action: string, resource = '*'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

export const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
