import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { TestSandbox } from '../../helpers/sandbox';
import { findings, settle, startGuardrailSandbox, trail, waitFor, withoutScp } from './harness';

const REGION = 'eu-west-1';
let sb: TestSandbox;
let serviceAccount: string;

beforeAll(async () => {
  ({ sb, serviceAccount } = await startGuardrailSandbox());
}, 30_000);
afterAll(() => sb?.stop());

/**
 * S3 Control as a developer of an account. The SDK would put the account id in front of the host
 * (`<id>.127.0.0.1`); a fixed endpoint provider sends it to the sandbox as is.
 */
const developer = (accountId: string) =>
  new S3ControlClient({
    region: REGION,
    endpointProvider: () => ({ url: new URL(sb.endpoint) }),
    credentials: sb.credentials({ accountId, role: 'Developer', session: 'jane' }),
    maxAttempts: 1,
  });

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

describe('the S3 public access guardrail against the sandbox', () => {
  it('restores the account block a developer deletes in a service account, and records the finding', async () => {
    const s3control = developer(serviceAccount);
    await s3control.send(new DeletePublicAccessBlockCommand({ AccountId: serviceAccount }));

    const finding = await waitFor('the remediated finding', () =>
      findings(sb).find((f) => f.rule === 's3-public-access-weakened' && f.accountId === serviceAccount),
    );
    await settle(sb);

    expect(finding).toMatchObject({
      outcome: 'remediated',
      severity: 'high',
      actor: `arn:aws:sts::${serviceAccount}:assumed-role/Developer/jane`,
      region: REGION,
      resource: serviceAccount,
      resourceType: 'AWS::S3::AccountPublicAccessBlock',
      eventName: 'DeleteAccountPublicAccessBlock',
    });
    const restored = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: serviceAccount }));
    expect(restored.PublicAccessBlockConfiguration).toEqual(ALL_ON);
    // The restore is the remediation role's own call: recorded, and not matched again.
    const puts = trail(sb).filter(
      (d) => d.eventName === 'PutAccountPublicAccessBlock' && d.recipientAccountId === serviceAccount,
    );
    expect(puts.map((d) => (d.userIdentity as { arn: string }).arn)).toEqual([
      `arn:aws:sts::${serviceAccount}:assumed-role/VendguardGuardrailRemediation/vendguard-guardrails`,
    ]);
    expect(findings(sb).filter((f) => f.rule === 's3-public-access-weakened')).toHaveLength(1);
  });

  it('turns back on the settings a developer turns off', async () => {
    const s3control = developer(serviceAccount);
    const before = findings(sb).length;
    await s3control.send(
      new PutPublicAccessBlockCommand({
        AccountId: serviceAccount,
        PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      }),
    );

    const finding = await waitFor('the second finding', () => findings(sb).slice(before)[0]);
    await settle(sb);

    expect(finding).toMatchObject({ outcome: 'remediated', eventName: 'PutAccountPublicAccessBlock' });
    expect(finding.summary).toContain('BlockPublicPolicy, RestrictPublicBuckets');
    const restored = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: serviceAccount }));
    expect(restored.PublicAccessBlockConfiguration).toEqual(ALL_ON);
  });

  it('leaves the block of an exempt account deleted, with an informational record', async () => {
    const egress = sb.accountId('egress');
    const s3control = developer(egress);
    // the protect-security SCP denies this to the developer: the scene needs it detached for a moment
    await withoutScp(sb, 'vendguard-protect-security', 'Infrastructure', () =>
      s3control.send(new DeletePublicAccessBlockCommand({ AccountId: egress })),
    );

    const finding = await waitFor('the exempt finding', () =>
      findings(sb).find((f) => f.rule === 's3-public-access-weakened' && f.accountId === egress),
    );
    await settle(sb);

    expect(finding).toMatchObject({ outcome: 'exempt', severity: 'info' });
    await expect(s3control.send(new GetPublicAccessBlockCommand({ AccountId: egress }))).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
    });
  });
});
