import type { AwsServiceError } from '../../../../../sandbox/core/types';
import { putRole } from '../../../../../sandbox/services/iam/model';
import { createFunction } from '../../../../../sandbox/services/lambda/functions';
import type { Scope } from '../../../../../sandbox/services/lambda/model';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

/** An empty zip archive (its end-of-central-directory record alone), base64: a valid `Code.ZipFile`. */
export const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]).toString('base64');

export const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export interface LambdaHarness {
  readonly rt: TestRuntime;
  /** The management account in the home region. */
  readonly scope: Scope;
  /** `fn-role`, trusting Lambda. */
  readonly roleArn: string;
  /** Creates a Node.js function running a fixture handler (`echo.handler` unless `Handler` says otherwise). */
  create(name: string, extra?: Record<string, unknown>): ReturnType<typeof createFunction>;
  close(): void;
}

/** A unit-test runtime with an execution role, for calling the Lambda operations directly. */
export function lambdaHarness(): LambdaHarness {
  const rt = createTestRuntime();
  const scope = { account: rt.managementAccountId, region: rt.config.organization.homeRegion };
  putRole(rt.store, rt.clock, scope.account, { roleName: 'fn-role', trustPolicy: LAMBDA_TRUST });
  const roleArn = `arn:aws:iam::${scope.account}:role/fn-role`;
  return {
    rt,
    scope,
    roleArn,
    create: (name, extra = {}) =>
      createFunction(rt, scope, {
        FunctionName: name,
        Role: roleArn,
        Runtime: 'nodejs22.x',
        Handler: 'test/fixtures/lambda/echo.handler',
        Code: { ZipFile: EMPTY_ZIP },
        ...extra,
      }),
    close: () => rt.close(),
  };
}

/** The error a call throws (fails the test when it does not throw). */
export function thrown(call: () => unknown): AwsServiceError {
  try {
    call();
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('expected the call to throw');
}

/** The error a promise rejects with. */
export async function rejected(promise: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('expected the promise to reject');
}
