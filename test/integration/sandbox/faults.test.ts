import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreatePolicyCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.stop());
afterEach(() => {
  sb.runtime.faults.clear();
});

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sb.endpoint}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('fault injection', () => {
  it('throttles like AWS: the SDK sees TooManyRequestsException with retries off', async () => {
    sb.runtime.faults.add({ service: 'organizations', operation: 'ListRoots', error: 'throttle' });
    const err = await sb
      .client(OrganizationsClient, { region: 'us-east-1' })
      .send(new ListRootsCommand({}))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('TooManyRequestsException');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
  });

  it('is retried to success by the SDK default retry strategy', async () => {
    sb.runtime.faults.add({ service: 'organizations', operation: 'ListRoots', error: 'throttle', count: 1 });
    const out = await sb
      .client(OrganizationsClient, { region: 'us-east-1', maxAttempts: 3 })
      .send(new ListRootsCommand({}));
    expect(out.Roots).toHaveLength(1);
    expect(out.$metadata.attempts).toBe(2);
  });

  it('injects 5xx errors the SDK retries, and named errors it does not', async () => {
    sb.runtime.faults.add({ service: 'sts', operation: '*', error: 'ServiceUnavailable', status: 503, count: 1 });
    const ok = await sb.client(STSClient, { maxAttempts: 3 }).send(new GetCallerIdentityCommand({}));
    expect(ok.$metadata.attempts).toBe(2);
    sb.runtime.faults.add({
      service: 'sts',
      operation: 'GetCallerIdentity',
      error: 'AccessDenied',
      status: 403,
      count: 1,
    });
    const err = await sb
      .client(STSClient, { maxAttempts: 3 })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('AccessDenied');
    expect((err as { $metadata: { attempts: number } }).$metadata.attempts).toBe(1);
  });

  it('adds latency', async () => {
    sb.runtime.faults.add({ service: 'sts', operation: 'GetCallerIdentity', latencyMs: 150, count: 1 });
    const started = performance.now();
    await sb.client(STSClient).send(new GetCallerIdentityCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is managed through the control API', async () => {
    const added = await control('POST', '/_sandbox/faults', {
      service: 'sts',
      operation: 'GetCallerIdentity',
      error: 'throttle',
      rate: 1,
    });
    expect(added.status).toBe(201);
    const err = await sb
      .client(STSClient)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('Throttling');
    expect(((await control('GET', '/_sandbox/faults')).body.faults as unknown[]).length).toBe(1);
    expect((await control('DELETE', '/_sandbox/faults')).body.removed).toBe(1);
    await expect(sb.client(STSClient).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    const bad = await control('POST', '/_sandbox/faults', { service: 'sts', rate: 3 });
    expect(bad.status).toBe(400);
  });

  it('loads rules from a faults file at start', async () => {
    const file = join(sb.home, 'faults.json');
    // GetCallerIdentity only: the start's deployment assumes the network account's CDK deploy role
    writeFileSync(file, JSON.stringify([{ service: 'sts', operation: 'GetCallerIdentity', error: 'throttle' }]));
    const other = await startTestSandbox({ faultsFile: file });
    try {
      const err = await other
        .client(STSClient)
        .send(new GetCallerIdentityCommand({}))
        .catch((e: unknown) => e);
      expect((err as Error).name).toBe('Throttling');
    } finally {
      await other.stop();
    }
  });
});

describe('control API', () => {
  it('reports health and advances the clock', async () => {
    const health = await control('GET', '/_sandbox/health');
    expect(health.body).toMatchObject({ status: 'ok', managementAccountId: '100000000001' });
    const before = (await control('GET', '/_sandbox/clock')).body.epochMs as number;
    const after = await control('POST', '/_sandbox/clock', { advanceSeconds: 3600 });
    expect((after.body.epochMs as number) - before).toBeGreaterThanOrEqual(3_600_000);
  });

  it('issues credentials for an account by name', async () => {
    const out = await control('POST', '/_sandbox/credentials', { account: 'egress', role: 'Developer' });
    expect(out.body).toMatchObject({
      accountId: sb.accountId('egress'),
      arn: expect.stringContaining(':assumed-role/Developer/'),
    });
    expect((await control('POST', '/_sandbox/credentials', { account: 'nope' })).status).toBe(404);
  });

  it('resets the state and reseeds the organization', async () => {
    const org = sb.client(OrganizationsClient, { region: 'us-east-1' });
    const scps = async () =>
      ((await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies ?? []).map(
        (p) => p.Name,
      );
    await org.send(
      new CreatePolicyCommand({
        Name: 'made-before-reset',
        Description: 'd',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
      }),
    );
    expect(await scps()).toContain('made-before-reset');
    expect((await control('POST', '/_sandbox/reset')).body).toEqual({ reset: true });
    expect(await scps()).not.toContain('made-before-reset');
    expect((await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id).toMatch(/^r-/);
    expect(sb.runtime.organizations.accountExists(sb.accountId('egress'))).toBe(true);
  });
});

describe('faults on DynamoDB', () => {
  it('throttles DynamoDB calls like AWS', async () => {
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    sb.runtime.faults.add({ service: 'dynamodb', operation: 'GetItem', error: 'throttle', count: 1 });
    const ddb = sb.client(DynamoDBClient);
    const get = new GetItemCommand({ TableName: 'vendguard-state', Key: { id: { S: 'none' } } });
    expect(((await ddb.send(get).catch((e: unknown) => e)) as Error).name).toBe('ThrottlingException');
    expect((await ddb.send(get)).Item).toBeUndefined();
  });
});
