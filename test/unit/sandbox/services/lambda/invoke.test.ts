import { asyncOutcomes, invokeFunction, settleAsyncInvocations } from '../../../../../sandbox/services/lambda/api';
import { resumeQueue } from '../../../../../sandbox/services/lambda/async';
import { putFunctionEventInvokeConfig } from '../../../../../sandbox/services/lambda/event-invoke-config';
import { putFunctionConcurrency } from '../../../../../sandbox/services/lambda/functions';
import { TABLES as LAMBDA_TABLES } from '../../../../../sandbox/services/lambda/model';
import { peekQueue } from '../../../../../sandbox/services/sqs/api';
import { createQueue } from '../../../../../sandbox/services/sqs/queues';
import { openGate, whenEntered } from '../../../../fixtures/lambda/gate';
import { type LambdaHarness, lambdaHarness, rejected } from './harness';

let h: LambdaHarness;
beforeEach(() => {
  h = lambdaHarness();
});
afterEach(() => h.close());

const sync = (arn: string, payload: unknown) =>
  invokeFunction(h.rt, arn, JSON.stringify(payload), { invocationType: 'RequestResponse' });
const parse = (payload: string | undefined) => JSON.parse(payload ?? 'null');

describe('Invoke (RequestResponse)', () => {
  it('runs the handler with the event, its own name, environment and execution role, and answers its result', async () => {
    const { FunctionArn: arn } = h.create('echo', {
      Environment: { Variables: { GREETING: 'hello' } },
      MemorySize: 256,
    });
    const out = await sync(arn, { n: 1 });
    expect(out).toMatchObject({ statusCode: 200, executedVersion: '$LATEST' });
    expect(out.functionError).toBeUndefined();
    expect(parse(out.payload)).toEqual({
      event: { n: 1 },
      functionName: 'echo',
      invokedFunctionArn: arn,
      requestId: out.requestId,
      memory: '256',
      env: {
        GREETING: 'hello',
        AWS_LAMBDA_FUNCTION_NAME: 'echo',
        AWS_REGION: h.scope.region,
        AWS_ACCESS_KEY_ID: 'ASIATEST',
      },
    });
  });

  it('passes {} for an empty payload, answers null for no result, and runs callback handlers', async () => {
    const { FunctionArn: echo } = h.create('echo');
    expect(parse((await invokeFunction(h.rt, echo, '', { invocationType: 'RequestResponse' })).payload).event).toEqual(
      {},
    );
    const { FunctionArn: nothing } = h.create('nothing', { Handler: 'test/fixtures/lambda/echo.nothing' });
    expect((await sync(nothing, {})).payload).toBe('null');
    const { FunctionArn: callback } = h.create('callback', { Handler: 'test/fixtures/lambda/echo.callback' });
    expect(parse((await sync(callback, { a: 1 })).payload)).toEqual({ viaCallback: { a: 1 } });
  });

  it('answers a handler error as the function error { errorType, errorMessage, trace } with FunctionError Unhandled', async () => {
    const { FunctionArn: arn } = h.create('fail', { Handler: 'test/fixtures/lambda/fail.handler' });
    const out = await sync(arn, { message: 'no stock' });
    expect(out).toMatchObject({ statusCode: 200, functionError: 'Unhandled' });
    const error = parse(out.payload);
    expect(error).toMatchObject({ errorType: 'BoomError', errorMessage: 'no stock' });
    expect(error.trace[0]).toBe('BoomError: no stock');
  });

  it("fails as Lambda's Node.js runtime fails when the code is not there", async () => {
    const run = async (name: string, extra: Record<string, unknown>) =>
      parse((await sync(h.create(name, extra).FunctionArn, {})).payload);
    expect(await run('no-module', { Handler: 'index.handler' })).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module 'index'\nRequire stack:\n- /var/runtime/index.mjs",
    });
    expect(await run('outside', { Handler: 'sandbox/main.handler' })).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
    });
    expect(await run('no-export', { Handler: 'test/fixtures/lambda/echo.missing' })).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'test/fixtures/lambda/echo.missing is undefined or not exported',
    });
    expect(await run('malformed', { Handler: 'handler' })).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
    expect(await run('python', { Runtime: 'python3.12', Handler: 'app.handler' })).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'app': No module named 'app'",
    });
  });

  it('runs a manifest function by its name vendguard-<name> and index.handler, as the CDK app deploys it', async () => {
    const { FunctionArn: arn } = h.create('vendguard-vend-start', { Handler: 'index.handler' });
    const out = await sync(arn, { not: 'an account request' });
    // the manifest handler ran and refused the event with its own validation error
    expect(out.functionError).toBe('Unhandled');
    expect(parse(out.payload).errorType).not.toMatch(/^Runtime\./);
    const other = h.create('vendguard-vend-start-2', { Handler: 'index.handler' });
    expect(parse((await sync(other.FunctionArn, {})).payload).errorType).toBe('Runtime.ImportModuleError');
  });

  it('times a handler out after its Timeout as Sandbox.Timedout', async () => {
    const { FunctionArn: arn } = h.create('slow', { Handler: 'test/fixtures/lambda/fail.slow', Timeout: 1 });
    const out = await sync(arn, {});
    expect(out.functionError).toBe('Unhandled');
    expect(parse(out.payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${out.requestId} Error: Task timed out after 1.00 seconds`,
    });
  });

  it('refuses payloads that are not JSON or too large, and functions that do not exist', async () => {
    const { FunctionArn: arn } = h.create('echo');
    expect(await rejected(invokeFunction(h.rt, arn, '{not json', { invocationType: 'RequestResponse' }))).toMatchObject(
      {
        code: 'InvalidRequestContentException',
        message: expect.stringMatching(/^Could not parse request body into json: Could not parse payload into json: /),
      },
    );
    const big = JSON.stringify({ data: 'x'.repeat(1_048_577) });
    expect(await rejected(invokeFunction(h.rt, arn, big, { invocationType: 'Event' }))).toMatchObject({
      code: 'RequestEntityTooLargeException',
      status: 413,
      message: `${Buffer.byteLength(big)} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    });
    const huge = JSON.stringify({ data: 'x'.repeat(6_291_457) });
    expect(await rejected(invokeFunction(h.rt, arn, huge, { invocationType: 'RequestResponse' }))).toMatchObject({
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(await rejected(sync(`${arn}-missing`, {}))).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: ${arn}-missing`,
    });
    expect(await rejected(sync(`${arn}:1`, {}))).toMatchObject({ message: `Function not found: ${arn}:1` });
  });

  it('throttles past reserved concurrency with TooManyRequestsException (429)', async () => {
    const { FunctionArn: arn } = h.create('gate', { Handler: 'test/fixtures/lambda/gate.handler' });
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'gate', ReservedConcurrentExecutions: 0 });
    expect(await rejected(sync(arn, { gate: 'zero' }))).toMatchObject({
      code: 'TooManyRequestsException',
      status: 429,
      message: 'Rate Exceeded.',
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'gate', ReservedConcurrentExecutions: 1 });
    const entered = whenEntered('one');
    const first = sync(arn, { gate: 'one' });
    await entered;
    expect(await rejected(sync(arn, { gate: 'two' }))).toMatchObject({ code: 'TooManyRequestsException' });
    openGate('one');
    expect(parse((await first).payload)).toEqual({ passed: 'one' });
    openGate('three');
    expect(parse((await sync(arn, { gate: 'three' })).payload)).toEqual({ passed: 'three' });
  });

  it('answers 204 for DryRun and 202 for Event', async () => {
    const { FunctionArn: arn } = h.create('echo');
    await expect(invokeFunction(h.rt, arn, '{}', { invocationType: 'DryRun' })).resolves.toMatchObject({
      statusCode: 204,
    });
    await expect(invokeFunction(h.rt, arn, '{}', { invocationType: 'Event' })).resolves.toMatchObject({
      statusCode: 202,
    });
    await settleAsyncInvocations(h.rt);
  });
});

describe('Invoke (Event)', () => {
  const event = (arn: string, payload: unknown) =>
    invokeFunction(h.rt, arn, JSON.stringify(payload), { invocationType: 'Event' });

  it('retries a failing event twice, one then two minutes apart on the sandbox clock, then gives up', async () => {
    const { FunctionArn: arn } = h.create('flaky', { Handler: 'test/fixtures/lambda/fail.flaky' });
    const start = h.rt.clock.nowMs();
    const { requestId } = await event(arn, { key: 'always', failures: 9 });
    await settleAsyncInvocations(h.rt);
    expect(asyncOutcomes(h.rt, { requestId })).toEqual([
      expect.objectContaining({ condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: arn }),
    ]);
    expect(h.rt.clock.nowMs() - start).toBe(180_000);
    const recovered = await event(arn, { key: 'twice', failures: 2 });
    await settleAsyncInvocations(h.rt);
    expect(asyncOutcomes(h.rt, { requestId: recovered.requestId })[0]).toMatchObject({
      condition: 'Success',
      approximateInvokeCount: 3,
    });
  });

  it('follows MaximumRetryAttempts and MaximumEventAgeInSeconds', async () => {
    const { FunctionArn: arn } = h.create('flaky', { Handler: 'test/fixtures/lambda/fail.flaky' });
    putFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'flaky', MaximumRetryAttempts: 0 });
    const once = await event(arn, { key: 'no-retry', failures: 9 });
    await settleAsyncInvocations(h.rt);
    expect(asyncOutcomes(h.rt, { requestId: once.requestId })[0]).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 1,
    });
    putFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'flaky', MaximumEventAgeInSeconds: 60 });
    const aged = await event(arn, { key: 'aged', failures: 9 });
    await settleAsyncInvocations(h.rt);
    expect(asyncOutcomes(h.rt, { requestId: aged.requestId })[0]).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 1,
    });
  });

  it('sends the invocation record to the on-failure and on-success destinations, and the event to the dead-letter queue', async () => {
    const { queue: failures } = createQueue(h.rt, h.scope, 'failures');
    const { queue: dlq } = createQueue(h.rt, h.scope, 'dlq');
    const { FunctionArn: arn } = h.create('fail', {
      Handler: 'test/fixtures/lambda/fail.handler',
      DeadLetterConfig: { TargetArn: dlq.arn },
    });
    putFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'fail',
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    });
    const { requestId } = await event(arn, { message: 'bad order' });
    await settleAsyncInvocations(h.rt);
    const [message] = peekQueue(h.rt, failures.arn) ?? [];
    const record = JSON.parse(message?.body ?? '{}');
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/Z$/),
      requestContext: {
        requestId,
        functionArn: `${arn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { message: 'bad order' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: expect.objectContaining({ errorType: 'BoomError', errorMessage: 'bad order' }),
    });
    expect(JSON.parse(peekQueue(h.rt, dlq.arn)?.[0]?.body ?? '{}')).toEqual({ message: 'bad order' });
    expect(asyncOutcomes(h.rt, { requestId })[0]?.deliveries).toEqual([
      { kind: 'DeadLetter', target: dlq.arn, delivered: true },
      { kind: 'OnFailure', target: failures.arn, delivered: true },
    ]);

    const { queue: successes } = createQueue(h.rt, h.scope, 'successes');
    const { FunctionArn: echo } = h.create('echo');
    putFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'echo',
      DestinationConfig: { OnSuccess: { Destination: successes.arn } },
    });
    await event(echo, { ok: 1 });
    await settleAsyncInvocations(h.rt);
    expect(JSON.parse(peekQueue(h.rt, successes.arn)?.[0]?.body ?? '{}')).toMatchObject({
      requestContext: { condition: 'Success', approximateInvokeCount: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { event: { ok: 1 }, functionName: 'echo' },
    });
  });

  it('sends records to an EventBridge bus and to another function', async () => {
    const bus = `arn:aws:events:${h.scope.region}:${h.scope.account}:event-bus/default`;
    const { FunctionArn: target } = h.create('audit', { Handler: 'test/fixtures/lambda/echo.handler' });
    const { FunctionArn: arn } = h.create('fail', { Handler: 'test/fixtures/lambda/fail.handler' });
    putFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'fail',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: bus } },
    });
    await event(arn, { message: 'to the bus' });
    await settleAsyncInvocations(h.rt);
    expect(h.rt.published.at(-1)).toMatchObject({
      source: 'lambda',
      detailType: 'Lambda Function Invocation Result - Failure',
      resources: [bus, `${arn}:$LATEST`],
      detail: { requestContext: { condition: 'RetriesExhausted' }, requestPayload: { message: 'to the bus' } },
    });
    putFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'fail',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: target } },
    });
    const { requestId } = await event(arn, { message: 'to a function' });
    await settleAsyncInvocations(h.rt);
    expect(asyncOutcomes(h.rt, { requestId })[0]?.deliveries).toEqual([{ kind: 'OnFailure', target, delivered: true }]);
    expect(asyncOutcomes(h.rt, { functionArn: target })).toEqual([expect.objectContaining({ condition: 'Success' })]);
  });

  it('sends the events of a function with reserved concurrency 0 straight to the on-failure destination', async () => {
    const { queue } = createQueue(h.rt, h.scope, 'throttled');
    const { FunctionArn: arn } = h.create('echo');
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'echo', ReservedConcurrentExecutions: 0 });
    putFunctionEventInvokeConfig(h.rt, h.scope, {
      FunctionName: 'echo',
      DestinationConfig: { OnFailure: { Destination: queue.arn } },
    });
    const { requestId } = await event(arn, { a: 1 });
    await settleAsyncInvocations(h.rt);
    expect(JSON.parse(peekQueue(h.rt, queue.arn)?.[0]?.body ?? '{}')).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId,
        functionArn: `${arn}:$LATEST`,
        condition: 'ZeroReservedConcurrency',
        approximateInvokeCount: 0,
      },
      requestPayload: { a: 1 },
    });
  });

  it('puts a throttled event back in the queue with back-off, until its age runs out', async () => {
    const { FunctionArn: arn } = h.create('gate', { Handler: 'test/fixtures/lambda/gate.handler' });
    putFunctionConcurrency(h.rt, h.scope, { FunctionName: 'gate', ReservedConcurrentExecutions: 1 });
    putFunctionEventInvokeConfig(h.rt, h.scope, { FunctionName: 'gate', MaximumEventAgeInSeconds: 60 });
    const entered = whenEntered('held');
    const held = sync(arn, { gate: 'held' });
    await entered;
    const start = h.rt.clock.nowMs();
    const { requestId } = await event(arn, { gate: 'never' });
    await settleAsyncInvocations(h.rt);
    // throttled at 0, retried 1, 2, 4, 8, 16 and 32 s later: past 60 s the event is discarded without a run
    expect(asyncOutcomes(h.rt, { requestId })[0]).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(h.rt.clock.nowMs() - start).toBe(63_000);
    openGate('held');
    await held;
  });

  it('resumes the stored queue (after a restart) and drops the events of a function that is gone', async () => {
    const { FunctionArn: arn } = h.create('echo');
    const now = h.rt.clock.nowMs();
    const stored = (functionName: string, key: string) => ({
      key,
      account: h.scope.account,
      region: h.scope.region,
      functionName,
      invokedArn: `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:${functionName}`,
      requestId: `request-${functionName}`,
      payload: '{"resumed":true}',
      enqueuedAt: now,
      attempts: 0,
      throttles: 0,
      notBefore: now,
    });
    h.rt.store.put(LAMBDA_TABLES.queue, 'k1', stored('echo', 'k1'));
    h.rt.store.put(LAMBDA_TABLES.queue, 'k2', stored('gone', 'k2'));
    resumeQueue(h.rt);
    await settleAsyncInvocations(h.rt);
    const outcomes = asyncOutcomes(h.rt).map((o) => [o.requestId, o.condition, o.functionArn]);
    expect(outcomes.sort()).toEqual([
      ['request-echo', 'Success', arn],
      ['request-gone', 'FunctionDeleted', `arn:aws:lambda:${h.scope.region}:${h.scope.account}:function:gone`],
    ]);
    expect(h.rt.store.list(LAMBDA_TABLES.queue)).toEqual([]);
  });
});
