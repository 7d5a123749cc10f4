import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestSandbox } from '../../helpers/sandbox';

describe('persistence across a restart', () => {
  const home = mkdtempSync(join(tmpdir(), 'vendguard-persist-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('keeps the organization, policies, issued credentials, DynamoDB items and the clock', async () => {
    const first = await startTestSandbox({ home });
    const org = first.client(OrganizationsClient, { region: 'us-east-1' });
    const orgId = (await org.send(new DescribeOrganizationCommand({}))).Organization?.Id;
    const policy = await org.send(
      new CreatePolicyCommand({
        Name: 'persisted',
        Description: 'survives',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
      }),
    );
    const creds = first.credentials({ accountId: first.accountId('egress'), role: 'Developer' });
    await first
      .client(DynamoDBClient)
      .send(new PutItemCommand({ TableName: 'vendguard-state', Item: { id: { S: 'k1' }, value: { S: 'v1' } } }));
    const timeBefore = first.runtime.clock.nowMs();
    await first.stop();

    const second = await startTestSandbox({ home });
    try {
      const org2 = second.client(OrganizationsClient, { region: 'us-east-1' });
      expect((await org2.send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe(orgId);
      const described = await org2.send(new DescribePolicyCommand({ PolicyId: policy.Policy?.PolicySummary?.Id }));
      expect(described.Policy?.PolicySummary?.Name).toBe('persisted');
      const sts = new STSClient({ endpoint: second.endpoint, region: 'eu-west-1', credentials: creds, maxAttempts: 1 });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(':assumed-role/Developer/');
      const item = await second
        .client(DynamoDBClient)
        .send(new GetItemCommand({ TableName: 'vendguard-state', Key: { id: { S: 'k1' } } }));
      expect(item.Item?.value?.S).toBe('v1');
      expect(second.runtime.clock.nowMs()).toBeGreaterThanOrEqual(timeBefore);
    } finally {
      await second.stop();
    }
  });
});
