import { putRole } from '../../../../../sandbox/services/iam/model';
import {
  deleteFunction,
  deleteFunctionConcurrency,
  getAccountSettings,
  getFunction,
  getFunctionConcurrency,
  getFunctionConfiguration,
  listFunctions,
  listTags,
  putFunctionConcurrency,
  tagResource,
  untagResource,
  updateFunctionConfiguration,
} from '../../../../../sandbox/services/lambda/functions';
import { type LambdaHarness, lambdaHarness, thrown } from './harness';

let h: LambdaHarness;
beforeEach(() => {
  h = lambdaHarness();
});
afterEach(() => h.close());

describe('CreateFunction', () => {
  it('answers the configuration while the function is Pending, then it is Active', () => {
    const created = h.create('orders', { Environment: { Variables: { GREETING: 'hi' } }, Timeout: 10 });
    expect(created).toMatchObject({
      FunctionName: 'orders',
      FunctionArn: `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:orders`,
      Runtime: 'nodejs22.x',
      Role: h.roleArn,
      Handler: 'test/fixtures/lambda/echo.handler',
      Timeout: 10,
      MemorySize: 128,
      Version: '$LATEST',
      Environment: { Variables: { GREETING: 'hi' } },
      TracingConfig: { Mode: 'PassThrough' },
      Architectures: ['x86_64'],
      PackageType: 'Zip',
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/orders' },
      State: 'Pending',
      StateReason: 'The function is being created.',
      StateReasonCode: 'Creating',
    });
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.CodeSize).toBe(22);
    const config = getFunctionConfiguration(h.rt, h.scope, { FunctionName: 'orders' });
    expect(config).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', RevisionId: created.RevisionId });
  });

  it('refuses a second function of the same name with ResourceConflictException (409)', () => {
    h.create('orders');
    const error = thrown(() => h.create('orders'));
    expect(error).toMatchObject({
      code: 'ResourceConflictException',
      status: 409,
      message: 'Function already exist: orders',
    });
  });

  it.each([
    [
      { Role: 'r1' },
      'ValidationException',
      "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    ],
    [
      { Runtime: 'nodejs14.x' },
      'InvalidParameterValueException',
      'The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.',
    ],
    [
      { Runtime: 'PYTHON3.9' },
      'InvalidParameterValueException',
      expect.stringMatching(
        /^Value PYTHON3\.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs20\.x, .*\] or be a valid ARN$/,
      ),
    ],
    [
      { Runtime: undefined },
      'InvalidParameterValueException',
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    ],
    [{ Code: {} }, 'InvalidParameterValueException', 'Please provide a source for function code.'],
    [
      { Code: { ZipFile: Buffer.from('not a zip').toString('base64') } },
      'InvalidParameterValueException',
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    ],
    [
      { Timeout: 901 },
      'ValidationException',
      "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    ],
    [
      { MemorySize: 64 },
      'ValidationException',
      "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    ],
    [
      { Architectures: ['x86_64', 'arm64'] },
      'ValidationException',
      "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
    ],
    [
      { Architectures: ['X86_64'] },
      'ValidationException',
      "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
    ],
    [
      { Environment: { Variables: { AWS_REGION: 'x', FOO: 'y', AWS_ACCESS_KEY_ID: 'z' } } },
      'InvalidParameterValueException',
      'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION, AWS_ACCESS_KEY_ID',
    ],
    [
      { Environment: { Variables: { LARGE: 'x'.repeat(4100) } } },
      'InvalidParameterValueException',
      expect.stringMatching(
        /^Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit\. String measured: \{"LARGE":"x+"\}$/,
      ),
    ],
    [
      { Layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:x:1'] },
      'InvalidParameterValueException',
      'Layers is not modelled by the vendguard sandbox.',
    ],
  ])('refuses %j with %s', (extra, code, message) => {
    expect(thrown(() => h.create('bad', extra))).toMatchObject({ code, message });
  });

  it('refuses a role Lambda cannot assume: missing, not trusting Lambda, or in another account', () => {
    const cannot = {
      code: 'InvalidParameterValueException',
      message: 'The role defined for the function cannot be assumed by Lambda.',
    };
    expect(thrown(() => h.create('a', { Role: `arn:aws:iam::${h.scope.account}:role/missing` }))).toMatchObject(cannot);
    putRole(h.rt.store, h.rt.clock, h.scope.account, {
      roleName: 'ec2-role',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    expect(thrown(() => h.create('b', { Role: `arn:aws:iam::${h.scope.account}:role/ec2-role` }))).toMatchObject(
      cannot,
    );
    expect(thrown(() => h.create('c', { Role: 'arn:aws:iam::999999999999:role/fn-role' }))).toMatchObject(cannot);
  });

  it('validates the name: a plain name over 64 characters is InvalidParameterValueException, a malformed one ValidationException', () => {
    expect(thrown(() => h.create('a'.repeat(65)))).toMatchObject({
      code: 'InvalidParameterValueException',
      message: `1 validation error detected: Value '${'a'.repeat(65)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    expect(thrown(() => h.create('invalid:function:name'))).toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining(
        "Value 'invalid:function:name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern",
      ),
    });
  });

  it('keeps the code source of an S3 deployment without fetching it', () => {
    const created = h.create('from-s3', { Code: { S3Bucket: 'cdk-assets', S3Key: 'abc.zip' } });
    expect(created.CodeSize).toBe(0);
    expect(created.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});

describe('GetFunction, ListFunctions, DeleteFunction', () => {
  it('GetFunction answers the configuration, the code location, tags and reserved concurrency', () => {
    h.create('orders', { Tags: { team: 'payments' } });
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders', ReservedConcurrentExecutions: 5 });
    const out = getFunction(h.rt, h.scope, { FunctionName: 'orders' });
    expect(out).toMatchObject({
      Configuration: { FunctionName: 'orders', State: 'Active' },
      Code: { RepositoryType: 'S3', Location: expect.stringContaining('orders') },
      Tags: { team: 'payments' },
      Concurrency: { ReservedConcurrentExecutions: 5 },
    });
  });

  it('finds a function by name, ARN or partial ARN, and qualified only by $LATEST', () => {
    h.create('orders');
    const arn = `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:orders`;
    for (const name of ['orders', arn, `${h.scope.account}:function:orders`]) {
      expect(getFunctionConfiguration(h.rt, h.scope, { FunctionName: name }).FunctionArn).toBe(arn);
    }
    expect(getFunctionConfiguration(h.rt, h.scope, { FunctionName: 'orders', Qualifier: '$LATEST' }).FunctionArn).toBe(
      `${arn}:$LATEST`,
    );
    expect(thrown(() => getFunction(h.rt, h.scope, { FunctionName: 'orders:7' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${arn}:7`,
    });
    expect(thrown(() => getFunction(h.rt, h.scope, { FunctionName: `${arn}:1`, Qualifier: '2' }))).toMatchObject({
      code: 'InvalidParameterValueException',
      message: 'The derived qualifier from the function name does not match the specified qualifier.',
    });
  });

  it('answers 404 for a missing function and for one of another region', () => {
    expect(thrown(() => getFunction(h.rt, h.scope, { FunctionName: 'nope' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:nope`,
    });
    expect(
      thrown(() =>
        getFunction(h.rt, h.scope, { FunctionName: `arn:aws:lambda:ap-southeast-1:${h.scope.account}:function:x` }),
      ),
    ).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Functions from 'ap-southeast-1' are not reachable in this region ('${h.scope.region}')`,
    });
  });

  it('lists the functions of the account and region by name, in pages of MaxItems', () => {
    for (const name of ['c', 'a', 'b']) h.create(name);
    h.create('elsewhere');
    deleteFunction(h.rt, h.scope, { FunctionName: 'elsewhere' });
    const first = listFunctions(h.rt, h.scope, { MaxItems: 2 });
    expect(first.Functions.map((f) => f.FunctionName)).toEqual(['a', 'b']);
    expect(first.Functions[0]).not.toHaveProperty('State');
    const second = listFunctions(h.rt, h.scope, { MaxItems: 2, Marker: first.NextMarker });
    expect(second.Functions.map((f) => f.FunctionName)).toEqual(['c']);
    expect(second.NextMarker).toBeUndefined();
    expect(listFunctions(h.rt, { ...h.scope, region: 'us-east-1' }, {}).Functions).toEqual([]);
    expect(thrown(() => listFunctions(h.rt, h.scope, { MaxItems: 0 }))).toMatchObject({ code: 'ValidationException' });
    expect(thrown(() => listFunctions(h.rt, h.scope, { FunctionVersion: 'invalid' }))).toMatchObject({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
    });
  });

  it('deletes a function; $LATEST cannot be deleted alone', () => {
    h.create('orders');
    expect(thrown(() => deleteFunction(h.rt, h.scope, { FunctionName: 'orders', Qualifier: '$LATEST' }))).toMatchObject(
      {
        code: 'InvalidParameterValueException',
        message: '$LATEST version cannot be deleted without deleting the function.',
      },
    );
    deleteFunction(h.rt, h.scope, { FunctionName: 'orders' });
    expect(thrown(() => deleteFunction(h.rt, h.scope, { FunctionName: 'orders' }))).toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });
});

describe('UpdateFunctionConfiguration', () => {
  it('changes what it names, keeps the rest and makes a new revision', () => {
    const created = h.create('orders', { Environment: { Variables: { A: '1' } }, Description: 'first' });
    putRole(h.rt.store, h.rt.clock, h.scope.account, {
      roleName: 'other-role',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    const updated = updateFunctionConfiguration(h.rt, h.scope, {
      FunctionName: 'orders',
      Environment: { Variables: { B: '2' } },
      Timeout: 60,
      MemorySize: 512,
      Role: `arn:aws:iam::${h.scope.account}:role/other-role`,
    });
    expect(updated).toMatchObject({
      Description: 'first',
      Environment: { Variables: { B: '2' } },
      Timeout: 60,
      MemorySize: 512,
      Role: `arn:aws:iam::${h.scope.account}:role/other-role`,
      LastUpdateStatus: 'InProgress',
      LastUpdateStatusReason: 'The function is being created.',
      LastUpdateStatusReasonCode: 'Creating',
    });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    expect(getFunctionConfiguration(h.rt, h.scope, { FunctionName: 'orders' }).LastUpdateStatus).toBe('Successful');
  });

  it('refuses a stale RevisionId with PreconditionFailedException (412) and an invalid value with the create checks', () => {
    h.create('orders');
    expect(
      thrown(() =>
        updateFunctionConfiguration(h.rt, h.scope, { FunctionName: 'orders', RevisionId: 'stale', Timeout: 5 }),
      ),
    ).toMatchObject({
      code: 'PreconditionFailedException',
      status: 412,
    });
    expect(
      thrown(() => updateFunctionConfiguration(h.rt, h.scope, { FunctionName: 'orders', Timeout: 0 })),
    ).toMatchObject({ code: 'ValidationException' });
    expect(
      thrown(() => updateFunctionConfiguration(h.rt, h.scope, { FunctionName: 'nope', Timeout: 5 })),
    ).toMatchObject({ code: 'ResourceNotFoundException' });
  });
});

describe('reserved concurrency, tags and account settings', () => {
  it('puts, gets and deletes reserved concurrency, keeping 100 unreserved', () => {
    h.create('orders');
    expect(getFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders' })).toEqual({});
    expect(putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders', ReservedConcurrentExecutions: 0 })).toEqual({
      ReservedConcurrentExecutions: 0,
    });
    expect(getFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders' })).toEqual({
      ReservedConcurrentExecutions: 0,
    });
    expect(getAccountSettings(h.rt, h.scope).AccountLimit.UnreservedConcurrentExecutions).toBe(1000);
    expect(
      thrown(() =>
        putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders', ReservedConcurrentExecutions: 901 }),
      ),
    ).toMatchObject({
      code: 'InvalidParameterValueException',
      message:
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    });
    expect(
      thrown(() =>
        putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders:1', ReservedConcurrentExecutions: 1 }),
      ),
    ).toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('This operation is permitted on Lambda functions only.'),
    });
    expect(
      thrown(() => putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'nope', ReservedConcurrentExecutions: 1 })),
    ).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:nope:$LATEST`,
    });
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders', ReservedConcurrentExecutions: 900 });
    expect(getAccountSettings(h.rt, h.scope).AccountLimit.UnreservedConcurrentExecutions).toBe(100);
    deleteFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders' });
    expect(getFunctionConcurrency(h.rt, h.scope, { FunctionName: 'orders' })).toEqual({});
  });

  it('tags and untags a function by ARN', () => {
    const { FunctionArn: arn } = h.create('orders');
    tagResource(h.rt, h.scope, { Resource: arn, Tags: { a: '1', b: '2' } });
    untagResource(h.rt, h.scope, { Resource: arn, TagKeys: ['a'] });
    expect(listTags(h.rt, h.scope, { Resource: arn })).toEqual({ Tags: { b: '2' } });
    expect(thrown(() => tagResource(h.rt, h.scope, { Resource: `${arn}:1`, Tags: { a: '1' } }))).toMatchObject({
      message: 'Tags on function aliases and versions are not supported. Please specify a function ARN.',
    });
  });
});
