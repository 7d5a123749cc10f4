import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { s3PublicAccessGuard } from '../../../../functions/guard-s3-public-access/remediate';
import { runGuardrail } from '../../../../functions/shared/guardrails/pipeline';
import { EGRESS, type GuardHarness, guardHarness, SERVICE_ACCOUNT, sampleEvent } from '../shared/guardrails/harness';

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const run = (event: unknown) => runGuardrail(event, 'guard-s3-public-access', s3PublicAccessGuard);
const puts = () => h.s3control.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input);

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
  h.s3control.on(PutPublicAccessBlockCommand).resolves({});
});
afterEach(() => h.restore());

describe('guard-s3-public-access', () => {
  it('restores a deleted account public access block with all four settings on', async () => {
    await run(sampleEvent('aws.s3/delete-account-public-access-block.json'));
    expect(puts()).toEqual([{ AccountId: SERVICE_ACCOUNT, PublicAccessBlockConfiguration: ALL_ON }]);
    expect(h.findings()[0]).toMatchObject({ rule: 's3-public-access-weakened', outcome: 'remediated' });
  });

  it('restores a block that a Put weakened and names the settings turned off', async () => {
    await run(sampleEvent('aws.s3/put-account-public-access-block-weakened.json'));
    expect(puts()).toHaveLength(1);
    expect(h.findings()[0]?.summary).toContain('turned off BlockPublicPolicy, RestrictPublicBuckets');
  });

  it('ignores a Put that keeps every setting on', async () => {
    const result = await run(
      sampleEvent('aws.s3/put-account-public-access-block-weakened.json', {
        edit: (d) => {
          d.requestParameters = { PublicAccessBlockConfiguration: ALL_ON, accountId: SERVICE_ACCOUNT };
        },
      }),
    );
    expect(result.status).toBe('ignored');
    expect(puts()).toEqual([]);
    expect(h.findings()).toEqual([]);
  });

  it('leaves an exempt account alone', async () => {
    await run(sampleEvent('aws.s3/delete-account-public-access-block.json', { account: EGRESS }));
    expect(puts()).toEqual([]);
    expect(h.findings()[0]?.outcome).toBe('exempt');
  });
});
