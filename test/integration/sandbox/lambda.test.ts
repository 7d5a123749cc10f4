/**
 * The Lambda API against the sandbox with the real SDK v3 client: functions in an account and region,
 * synchronous, asynchronous and dry-run invocations, function errors, the execution role's
 * credentials, retries with an on-failure SQS destination on the sandbox clock, reserved concurrency,
 * the resource policy across accounts, `iam:PassRole`, and Lambda's error codes.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let lambda: LambdaClient;
let account: string;
let region: string;
const ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const roleArn = () => `arn:aws:iam::${account}:role/lambda-test-role`;
const arnOf = (name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;
const text = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

/** The error a call fails with, and its HTTP status. */
async function failure(call: Promise<unknown>): Promise<Record<string, unknown> & { status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as Record<string, unknown> & { $metadata?: { httpStatusCode?: number } };
    return { ...e, name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const create = (name: string, handler = 'test/fixtures/lambda/echo.handler', extra: Record<string, unknown> = {}) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: roleArn(),
      Runtime: 'nodejs22.x',
      Handler: handler,
      Code: { ZipFile: ZIP },
      ...extra,
    }),
  );

beforeAll(async () => {
  sb = await startTestSandbox();
  account = sb.runtime.managementAccountId;
  region = sb.runtime.homeRegion;
  lambda = sb.client(LambdaClient);
  const iam = sb.client(IAMClient, { region: 'us-east-1' });
  await iam.send(new CreateRoleCommand({ RoleName: 'lambda-test-role', AssumeRolePolicyDocument: TRUST }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'lambda-test-role',
      PolicyName: 'destinations',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'lambda:InvokeFunction'], Resource: '*' }],
      }),
    }),
  );
}, 30_000);
afterAll(() => sb?.stop());

describe('functions', () => {
  it('creates, reads, lists, updates and deletes a function', async () => {
    const created = await create('crud', 'test/fixtures/lambda/echo.handler', {
      Environment: { Variables: { GREETING: 'hi' } },
    });
    expect(created).toMatchObject({
      FunctionName: 'crud',
      FunctionArn: arnOf('crud'),
      State: 'Pending',
      Environment: { Variables: { GREETING: 'hi' } },
      $metadata: { httpStatusCode: 201 },
    });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'crud' }));
    expect(got.Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', Runtime: 'nodejs22.x' });
    expect(got.Code?.RepositoryType).toBe('S3');
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: arnOf('crud'), Timeout: 20, Description: 'updated' }),
    );
    expect(updated).toMatchObject({ Timeout: 20, Description: 'updated', LastUpdateStatus: 'InProgress' });
    expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'crud' }))).toMatchObject({
      Timeout: 20,
      Environment: { Variables: { GREETING: 'hi' } },
    });
    const deleted = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'crud' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'crud' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${arnOf('crud')}`,
      Type: 'User',
    });
  });

  it('lists functions in pages with Marker and MaxItems', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await create(name);
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      expect((page.Functions ?? []).length).toBeLessThanOrEqual(2);
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName as string));
      marker = page.NextMarker;
    } while (marker);
    expect(names.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
    // another account sees its own functions only
    const member = sb.client(LambdaClient, { accountId: sb.accountId('egress') });
    expect((await member.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  });

  it("answers Lambda's error codes", async () => {
    await create('dup');
    expect(await failure(create('dup'))).toMatchObject({
      name: 'ResourceConflictException',
      status: 409,
      message: 'Function already exist: dup',
    });
    expect(await failure(create('bad-runtime', 'x.handler', { Runtime: 'nodejs14.x' }))).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    expect(await failure(create('bad-role', 'x.handler', { Role: 'r1' }))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    expect(await failure(create('no-role', 'x.handler', { Role: `arn:aws:iam::${account}:role/none` }))).toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'The role defined for the function cannot be assumed by Lambda.',
    });
  });

  it('serves the settings, concurrency, tag and account operations on their own paths', async () => {
    await create('routes');
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'routes', MaximumRetryAttempts: 1 }));
    const updated = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'routes', MaximumEventAgeInSeconds: 120 }),
    );
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
    expect(updated.LastModified).toBeInstanceOf(Date);
    const listed = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'routes' }));
    expect(listed.FunctionEventInvokeConfigs).toHaveLength(1);
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'routes' }));
    expect(
      await failure(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'routes' }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `The function ${arnOf('routes')}:$LATEST doesn't have an EventInvokeConfig`,
    });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'routes', ReservedConcurrentExecutions: 3 }));
    expect((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit).toMatchObject({
      ConcurrentExecutions: 1000,
      UnreservedConcurrentExecutions: expect.any(Number),
    });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'routes' }));
    expect(await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'routes' }))).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
    await lambda.send(new TagResourceCommand({ Resource: arnOf('routes'), Tags: { team: 'a', env: 'dev' } }));
    await lambda.send(new UntagResourceCommand({ Resource: arnOf('routes'), TagKeys: ['env'] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arnOf('routes') }))).Tags).toEqual({ team: 'a' });
  });

  it('answers a key it never issued with UnrecognizedClientException (403)', async () => {
    const stranger = new LambdaClient({
      endpoint: sb.endpoint,
      region,
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    expect(await failure(stranger.send(new ListFunctionsCommand({})))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
    });
  });

  it('records the mutating calls in CloudTrail under their versioned names', async () => {
    await create('trailed');
    const event = sb.runtime.recentTrail.find(
      (e) =>
        e.detail.eventName === 'CreateFunction20150331' &&
        (e.detail.requestParameters as { functionName?: string })?.functionName === 'trailed',
    );
    expect(event?.detail).toMatchObject({
      eventSource: 'lambda.amazonaws.com',
      awsRegion: region,
      recipientAccountId: account,
    });
    expect(event?.source).toBe('aws.lambda');
  });
});

describe('Invoke', () => {
  beforeAll(async () => {
    await create('echo', 'test/fixtures/lambda/echo.handler', { Environment: { Variables: { GREETING: 'hello' } } });
    await create('fail', 'test/fixtures/lambda/fail.handler');
    await create('caller', 'test/fixtures/lambda/caller.handler');
  });

  it('answers the payload of a RequestResponse invocation, with the log tail when asked', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"n":1}'), LogType: 'Tail' }),
    );
    expect(out).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(out.FunctionError).toBeUndefined();
    expect(text(out.Payload)).toMatchObject({ event: { n: 1 }, functionName: 'echo', env: { GREETING: 'hello' } });
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toMatch(/^START RequestId: \S+ Version: \$LATEST/);
  });

  it('answers a handler error with 200, X-Amz-Function-Error Unhandled and the error as the payload', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'fail', Payload: Buffer.from('{"message":"nope"}') }),
    );
    expect(out).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(text(out.Payload)).toMatchObject({ errorType: 'BoomError', errorMessage: 'nope', trace: expect.any(Array) });
  });

  it('queues an Event invocation (202) and checks a DryRun (204)', async () => {
    expect(
      await lambda.send(
        new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{}') }),
      ),
    ).toMatchObject({
      StatusCode: 202,
    });
    expect(await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }))).toMatchObject({
      StatusCode: 204,
    });
  });

  it("runs with the execution role's credentials, in a session named after the function", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'caller' }));
    expect(out.FunctionError).toBeUndefined();
    expect(text(out.Payload)).toEqual({ arn: `arn:aws:sts::${account}:assumed-role/lambda-test-role/caller`, account });
  });

  it('refuses an invocation past reserved concurrency with TooManyRequestsException (429)', async () => {
    await create('reserved');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 0 }));
    expect(await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).toMatchObject({
      ReservedConcurrentExecutions: 0,
    });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: 'reserved' })))).toMatchObject({
      name: 'TooManyRequestsException',
      status: 429,
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
  });

  it('refuses a payload that is not JSON and a function that does not exist', async () => {
    expect(
      await failure(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{oops') }))),
    ).toMatchObject({
      name: 'InvalidRequestContentException',
      status: 400,
    });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: 'missing' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${arnOf('missing')}`,
    });
  });
});

describe('asynchronous invocation', () => {
  it('retries a failing event on the sandbox clock, then sends the record to the on-failure queue', async () => {
    const sqs = sb.client(SQSClient);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'lambda-failures' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes?.QueueArn as string;
    await create('async-fail', 'test/fixtures/lambda/fail.handler');
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'async-fail',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      }),
    );
    expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-fail' }))).toMatchObject({
      FunctionArn: `${arnOf('async-fail')}:$LATEST`,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    const started = sb.runtime.clock.nowMs();
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: 'async-fail',
        InvocationType: 'Event',
        Payload: Buffer.from('{"message":"later"}'),
      }),
    );
    expect(invoked.StatusCode).toBe(202);
    const requestId = invoked.$metadata.requestId as string;
    // three attempts, one and then two minutes apart: about 18 ms of real time at scale 6000
    let body: Record<string, unknown> | undefined;
    const deadline = Date.now() + 10_000;
    while (!body && Date.now() < deadline) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      if (got.Messages?.[0]) body = JSON.parse(got.Messages[0].Body as string);
    }
    expect(body).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId,
        functionArn: `${arnOf('async-fail')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { message: 'later' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: expect.objectContaining({ errorType: 'BoomError', errorMessage: 'later' }),
    });
    expect(sb.runtime.clock.nowMs() - started).toBeGreaterThanOrEqual(180_000);
  });
});

describe('resource policy', () => {
  it('denies another account until the function policy grants it, and keeps the grant to InvokeFunction', async () => {
    await create('shared');
    const memberAccount = sb.accountId('egress');
    const member = sb.client(LambdaClient, { accountId: memberAccount });
    const invoke = () => member.send(new InvokeCommand({ FunctionName: arnOf('shared'), Payload: Buffer.from('{}') }));
    expect(await failure(invoke())).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:sts::${memberAccount}:assumed-role/OrganizationAccountAccessRole/test is not authorized to perform: lambda:InvokeFunction on resource: ${arnOf('shared')} because no resource-based policy allows the lambda:InvokeFunction action`,
    });
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'shared',
        StatementId: 'member',
        Action: 'lambda:InvokeFunction',
        Principal: memberAccount,
      }),
    );
    expect(added.$metadata.httpStatusCode).toBe(201);
    expect(JSON.parse(added.Statement as string)).toEqual({
      Sid: 'member',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${memberAccount}:root` },
      Action: 'lambda:InvokeFunction',
      Resource: arnOf('shared'),
    });
    expect(
      await failure(
        lambda.send(
          new AddPermissionCommand({
            FunctionName: 'shared',
            StatementId: 'member',
            Action: 'lambda:InvokeFunction',
            Principal: memberAccount,
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceConflictException',
      status: 409,
    });
    expect((await invoke()).StatusCode).toBe(200);
    expect(await failure(member.send(new GetFunctionCommand({ FunctionName: arnOf('shared') })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'shared' }));
    expect(JSON.parse(policy.Policy as string).Statement).toHaveLength(1);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'shared', StatementId: 'member' }));
    expect(await failure(invoke())).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('needs iam:PassRole to give a function its role', async () => {
    const memberAccount = sb.accountId('egress');
    const admin = sb.client(IAMClient, { accountId: memberAccount, region: 'us-east-1' });
    await admin.send(new CreateRoleCommand({ RoleName: 'member-fn-role', AssumeRolePolicyDocument: TRUST }));
    const developer = sb.client(LambdaClient, { accountId: memberAccount, role: 'Developer' });
    const role = `arn:aws:iam::${memberAccount}:role/member-fn-role`;
    expect(
      await failure(
        developer.send(
          new CreateFunctionCommand({
            FunctionName: 'dev-fn',
            Role: role,
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { ZipFile: ZIP },
          }),
        ),
      ),
    ).toMatchObject({ name: 'AccessDeniedException', status: 403, message: expect.stringContaining('iam:PassRole') });
    const owner = sb.client(LambdaClient, { accountId: memberAccount });
    await owner.send(
      new CreateFunctionCommand({
        FunctionName: 'dev-fn',
        Role: role,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: ZIP },
      }),
    );
    // the Developer may invoke it (PowerUserAccess), and it fails as code that is not there fails
    const out = await developer.send(new InvokeCommand({ FunctionName: 'dev-fn' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(text(out.Payload).errorType).toBe('Runtime.ImportModuleError');
  });
});
