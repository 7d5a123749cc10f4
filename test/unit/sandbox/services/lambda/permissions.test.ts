import { invokeFunction } from '../../../../../sandbox/services/lambda/api';
import {
  deleteFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  putFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
} from '../../../../../sandbox/services/lambda/event-invoke-config';
import { addPermission, getPolicy, removePermission } from '../../../../../sandbox/services/lambda/permissions';
import { type LambdaHarness, lambdaHarness, rejected, thrown } from './harness';

let h: LambdaHarness;
let arn: string;
beforeEach(() => {
  h = lambdaHarness();
  arn = h.create('orders').FunctionArn;
});
afterEach(() => h.close());

describe('AddPermission, GetPolicy, RemovePermission', () => {
  it('stores statements as Lambda builds them and answers the policy with its revision', () => {
    const added = addPermission(h.rt, h.scope, {
      FunctionName: 'orders',
      StatementId: 'events',
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: `arn:aws:events:${h.scope.region}:${h.scope.account}:rule/vendguard/orders`,
    });
    expect(JSON.parse(added.Statement)).toEqual({
      Sid: 'events',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: arn,
      Condition: {
        ArnLike: { 'AWS:SourceArn': `arn:aws:events:${h.scope.region}:${h.scope.account}:rule/vendguard/orders` },
      },
    });
    addPermission(h.rt, h.scope, {
      FunctionName: arn,
      StatementId: 'partner',
      Action: 'lambda:InvokeFunction',
      Principal: '222222222222',
      SourceAccount: '222222222222',
    });
    const policy = getPolicy(h.rt, h.scope, { FunctionName: 'orders' });
    expect(JSON.parse(policy.Policy)).toEqual({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [
        expect.objectContaining({ Sid: 'events' }),
        {
          Sid: 'partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
          Action: 'lambda:InvokeFunction',
          Resource: arn,
          Condition: { StringEquals: { 'AWS:SourceAccount': '222222222222' } },
        },
      ],
    });
    removePermission(h.rt, h.scope, { FunctionName: 'orders', StatementId: 'events' });
    removePermission(h.rt, h.scope, { FunctionName: 'orders', StatementId: 'partner' });
    expect(thrown(() => getPolicy(h.rt, h.scope, { FunctionName: 'orders' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    });
  });

  it("answers each documented error with Lambda's code and message", () => {
    const add = (extra: Record<string, unknown>) => () =>
      addPermission(h.rt, h.scope, {
        FunctionName: 'orders',
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        ...extra,
      });
    add({})();
    expect(thrown(add({}))).toMatchObject({
      code: 'ResourceConflictException',
      status: 409,
      message:
        'The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.',
    });
    expect(thrown(add({ StatementId: 'example.com' }))).toMatchObject({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    });
    expect(thrown(add({ StatementId: 'x', Principal: 'invalid principal' }))).toMatchObject({
      code: 'InvalidParameterValueException',
      message: 'The provided principal was invalid. Please check the principal and try again.',
    });
    expect(thrown(add({ StatementId: 'x', Qualifier: '$LATEST' }))).toMatchObject({
      message: 'We currently do not support adding policies for $LATEST.',
    });
    expect(thrown(add({ StatementId: 'x', Qualifier: 'live' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Cannot find alias arn: ${arn}:live`,
    });
    expect(thrown(add({ StatementId: 'x', FunctionName: 'nope' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:nope`,
    });
    expect(thrown(add({ StatementId: 'x', RevisionId: 'stale' }))).toMatchObject({
      code: 'PreconditionFailedException',
      status: 412,
    });
    expect(
      thrown(() => removePermission(h.rt, h.scope, { FunctionName: 'orders', StatementId: 'non-existent' })),
    ).toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'Statement non-existent is not found in resource policy.',
    });
    expect(thrown(() => removePermission(h.rt, h.scope, { FunctionName: 'nope', StatementId: 'x' }))).toMatchObject({
      message: `No policy found for: arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:nope`,
    });
    h.create('bare');
    expect(thrown(() => removePermission(h.rt, h.scope, { FunctionName: 'bare', StatementId: 'x' }))).toMatchObject({
      message: 'No policy is associated with the given resource.',
    });
  });

  it('lets a service principal invoke only with the SourceArn its statement names', async () => {
    const rule = `arn:aws:events:${h.scope.region}:${h.scope.account}:rule/vendguard/orders`;
    const invoke = (sourceArn: string) =>
      invokeFunction(h.rt, arn, '{}', {
        invocationType: 'DryRun',
        principalService: 'events.amazonaws.com',
        sourceArn,
      });
    expect(await rejected(invoke(rule))).toMatchObject({ code: 'AccessDeniedException', status: 403 });
    addPermission(h.rt, h.scope, {
      FunctionName: 'orders',
      StatementId: 'rule',
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: rule,
    });
    await expect(invoke(rule)).resolves.toMatchObject({ statusCode: 204 });
    expect(await rejected(invoke(`${rule}-other`))).toMatchObject({
      code: 'AccessDeniedException',
      message: `User: events.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no resource-based policy allows the lambda:InvokeFunction action`,
    });
    expect(
      await rejected(
        invokeFunction(h.rt, arn, '{}', {
          invocationType: 'DryRun',
          principalService: 's3.amazonaws.com',
          sourceArn: rule,
        }),
      ),
    ).toMatchObject({ code: 'AccessDeniedException' });
  });
});

describe('EventInvokeConfig', () => {
  it('puts, updates, gets, lists and deletes the settings of $LATEST', () => {
    h.create('audit');
    const auditArn = `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:audit`;
    const put = putFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders', MaximumRetryAttempts: 0 });
    expect(put).toEqual({
      LastModified: expect.any(Number),
      FunctionArn: `${arn}:$LATEST`,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    });
    const updated = updateFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'orders',
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: auditArn } },
    });
    expect(updated).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: auditArn } },
    });
    expect(getFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders', Qualifier: '$LATEST' })).toEqual(
      updated,
    );
    expect(listFunctionEventInvokeConfigs(h.rt, h.scope, { FunctionName: 'orders' })).toEqual({
      FunctionEventInvokeConfigs: [updated],
    });
    deleteFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders' });
    expect(thrown(() => getFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `The function ${arn}:$LATEST doesn't have an EventInvokeConfig`,
    });
  });

  it('refuses what Lambda refuses', () => {
    const put = (extra: Record<string, unknown>) => () =>
      putFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders', ...extra });
    expect(thrown(put({}))).toMatchObject({
      code: 'InvalidParameterValueException',
      message: 'You must specify at least one of error handling or destination setting.',
    });
    expect(thrown(put({ MaximumRetryAttempts: 3 }))).toMatchObject({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
    });
    expect(thrown(put({ MaximumEventAgeInSeconds: 59 }))).toMatchObject({ code: 'ValidationException' });
    expect(thrown(put({ MaximumEventAgeInSeconds: 21601 }))).toMatchObject({ code: 'ValidationException' });
    expect(thrown(put({ FunctionName: 'nope', MaximumRetryAttempts: 1 }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: "The function doesn't exist.",
    });
    const missing = `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:doesnotexist`;
    expect(thrown(put({ DestinationConfig: { OnFailure: { Destination: missing } } }))).toMatchObject({
      message: `The destination ARN ${missing} is invalid.`,
    });
    expect(thrown(put({ DestinationConfig: { OnFailure: { Destination: arn } } }))).toMatchObject({
      message: "You can't specify the function as a destination for itself.",
    });
    const iam = `arn:aws:iam:${h.scope.region}:${h.scope.account}:function:orders`;
    expect(thrown(put({ DestinationConfig: { OnSuccess: { Destination: iam } } }))).toMatchObject({
      message: `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${iam}), onFailure=null) is invalid.`,
    });
    expect(thrown(put({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:_-/!lambda:x' } } }))).toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining("at 'destinationConfig.onFailure.destination' failed to satisfy constraint"),
    });
    expect(
      thrown(() => updateFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'orders', MaximumRetryAttempts: 1 })),
    ).toMatchObject({
      message: `The function ${arn}:$LATEST doesn't have an EventInvokeConfig`,
    });
  });
});
