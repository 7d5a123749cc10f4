/**
 * The Lambda API through both installed AWS CLIs (botocore's REST-JSON client): create-function with
 * a zip, list-functions, invoke with a JSON payload into a file (v2 needs
 * `--cli-binary-format raw-in-base64-out` to send the payload as it is), a function error, the
 * resource policy and Lambda's error lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { type AwsCli, type CliResult, errorLine, installedAwsClis, runAws } from '../../helpers/aws-cli';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const clis: AwsCli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;
let scratch: string;
let zip: string;

const aws = (cli: AwsCli, args: string[]): Promise<CliResult> => runAws(cli.path, sb.endpoint, args);
/** A JSON payload argument as each CLI takes it. */
const payload = (cli: AwsCli, json: unknown): string[] => [
  '--payload',
  JSON.stringify(json),
  ...(cli.major === 2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []),
];

beforeAll(async () => {
  sb = await startTestSandbox();
  scratch = mkdtempSync(join(tmpdir(), 'vendguard-lambda-cli-'));
  zip = join(scratch, 'code.zip');
  writeFileSync(zip, Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]));
  await sb.client(IAMClient, { region: 'us-east-1' }).send(
    new CreateRoleCommand({
      RoleName: 'cli-fn-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
}, 30_000);
afterAll(async () => {
  await sb?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describeClis('$path (v$major)', (cli) => {
  const name = (base: string) => `${base}-v${cli.major}`;
  const account = () => sb.runtime.managementAccountId;
  const arnOf = (fn: string) => `arn:aws:lambda:eu-west-1:${account()}:function:${fn}`;
  const createArgs = (fn: string, handler: string) => [
    'lambda',
    'create-function',
    '--function-name',
    fn,
    '--runtime',
    'nodejs22.x',
    '--handler',
    handler,
    '--role',
    `arn:aws:iam::${account()}:role/cli-fn-role`,
    '--zip-file',
    `fileb://${zip}`,
  ];

  it('create-function, list-functions, get-function and invoke into a file', async () => {
    const created = await aws(cli, createArgs(name('echo'), 'test/fixtures/lambda/echo.handler'));
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: name('echo'), State: 'Pending', CodeSize: 22 });
    const listed = await aws(cli, ['lambda', 'list-functions']);
    expect(JSON.parse(listed.stdout).Functions.map((f: { FunctionName: string }) => f.FunctionName)).toContain(
      name('echo'),
    );
    const got = await aws(cli, ['lambda', 'get-function', '--function-name', arnOf(name('echo'))]);
    expect(JSON.parse(got.stdout).Configuration).toMatchObject({ State: 'Active', FunctionArn: arnOf(name('echo')) });

    const out = join(scratch, `out-v${cli.major}.json`);
    const invoked = await aws(cli, [
      'lambda',
      'invoke',
      '--function-name',
      name('echo'),
      ...payload(cli, { hello: 'cli' }),
      out,
    ]);
    expect(invoked.stderr).toBe('');
    expect(JSON.parse(invoked.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      event: { hello: 'cli' },
      functionName: name('echo'),
    });
  });

  it('invoke of a failing function: StatusCode 200, FunctionError Unhandled, the error in the file', async () => {
    await aws(cli, createArgs(name('fail'), 'test/fixtures/lambda/fail.handler'));
    const out = join(scratch, `fail-v${cli.major}.json`);
    const invoked = await aws(cli, [
      'lambda',
      'invoke',
      '--function-name',
      name('fail'),
      ...payload(cli, { message: 'x' }),
      out,
    ]);
    expect(JSON.parse(invoked.stdout)).toEqual({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      ExecutedVersion: '$LATEST',
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ errorType: 'BoomError', errorMessage: 'x' });
    const queued = await aws(cli, [
      'lambda',
      'invoke',
      '--function-name',
      name('fail'),
      '--invocation-type',
      'Event',
      out,
    ]);
    expect(JSON.parse(queued.stdout)).toEqual({ StatusCode: 202 });
  });

  it('add-permission, get-policy, remove-permission', async () => {
    await aws(cli, createArgs(name('policy'), 'test/fixtures/lambda/echo.handler'));
    const added = await aws(cli, [
      'lambda',
      'add-permission',
      '--function-name',
      name('policy'),
      '--statement-id',
      'events',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      'events.amazonaws.com',
      '--source-arn',
      `arn:aws:events:eu-west-1:${account()}:rule/x`,
    ]);
    expect(JSON.parse(JSON.parse(added.stdout).Statement)).toMatchObject({
      Sid: 'events',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:events:eu-west-1:${account()}:rule/x` } },
    });
    const policy = await aws(cli, ['lambda', 'get-policy', '--function-name', name('policy')]);
    expect(JSON.parse(JSON.parse(policy.stdout).Policy).Statement).toHaveLength(1);
    const removed = await aws(cli, [
      'lambda',
      'remove-permission',
      '--function-name',
      name('policy'),
      '--statement-id',
      'events',
    ]);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
  });

  it("prints Lambda's error lines", async () => {
    const [missing, conflict, throttled] = await Promise.all([
      aws(cli, ['lambda', 'get-function', '--function-name', name('missing')]),
      aws(cli, createArgs(name('echo'), 'test/fixtures/lambda/echo.handler')),
      (async () => {
        await aws(cli, createArgs(name('zero'), 'test/fixtures/lambda/echo.handler'));
        await aws(cli, [
          'lambda',
          'put-function-concurrency',
          '--function-name',
          name('zero'),
          '--reserved-concurrent-executions',
          '0',
        ]);
        return aws(cli, [
          'lambda',
          'invoke',
          '--function-name',
          name('zero'),
          join(scratch, `zero-v${cli.major}.json`),
        ]);
      })(),
    ]);
    expect(errorLine(missing)).toBe(
      `An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: ${arnOf(name('missing'))}`,
    );
    expect(errorLine(conflict)).toBe(
      `An error occurred (ResourceConflictException) when calling the CreateFunction operation: Function already exist: ${name('echo')}`,
    );
    expect(errorLine(throttled)).toBe(
      'An error occurred (TooManyRequestsException) when calling the Invoke operation: Rate Exceeded.',
    );
  });
});
