import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackInstanceCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  ListStackSetsCommand,
  type StackSetOperationStatus,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

/** Time scale 600: a 20–60 s instance deployment takes 33–100 ms, long enough to observe RUNNING. */
const TIME_SCALE = 600;
const TEMPLATE =
  'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n';

let sb: TestSandbox;
let cfn: CloudFormationClient;
let infrastructureOu: string;

beforeAll(async () => {
  sb = await startTestSandbox({ timeScale: TIME_SCALE });
  cfn = sb.client(CloudFormationClient);
  infrastructureOu = sb.runtime.organizations.ouIdByPath('Infrastructure') as string;
});
afterAll(() => sb.stop());
afterEach(() => {
  sb.runtime.faults.clear();
});

const DONE = new Set<StackSetOperationStatus | undefined>(['SUCCEEDED', 'FAILED', 'STOPPED']);

async function waitFor(StackSetName: string, OperationId: string | undefined, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { StackSetOperation: op } = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName, OperationId }),
    );
    if (DONE.has(op?.Status) || Date.now() > until) return op;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const createSet = (StackSetName: string, managed = false) =>
  cfn.send(
    new CreateStackSetCommand({
      StackSetName,
      TemplateBody: TEMPLATE,
      // Empty lists reach the sandbox as `Capabilities=` (awsQuery); they must parse as [].
      Capabilities: [],
      Parameters: [],
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      ManagedExecution: { Active: managed },
    }),
  );

describe('CloudFormation StackSets through the SDK', () => {
  it('deploys to an OU, one operation at a time, and reports instances as AWS does', async () => {
    const { StackSetId } = await createSet('vg-int-baseline');
    expect(StackSetId).toMatch(/^vg-int-baseline:[0-9a-f-]{36}$/);
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'vg-int-baseline',
        DeploymentTargets: { OrganizationalUnitIds: [infrastructureOu] },
        Regions: ['eu-west-1'],
        OperationPreferences: { MaxConcurrentCount: 1 },
      }),
    );
    const second = await cfn
      .send(
        new CreateStackInstancesCommand({
          StackSetName: 'vg-int-baseline',
          DeploymentTargets: { OrganizationalUnitIds: [infrastructureOu] },
          Regions: ['eu-central-1'],
        }),
      )
      .catch((e: Error) => e);
    expect((second as Error).name).toBe('OperationInProgressException');

    const op = await waitFor('vg-int-baseline', OperationId);
    expect(op).toMatchObject({ Status: 'SUCCEEDED', Action: 'CREATE', OperationId });
    expect(op?.CreationTimestamp).toBeInstanceOf(Date);
    expect(op?.EndTimestamp?.getTime()).toBeGreaterThan(op?.CreationTimestamp?.getTime() ?? 0);

    const { Summaries } = await cfn.send(new ListStackInstancesCommand({ StackSetName: 'vg-int-baseline' }));
    const expected = sb.runtime.organizations.accountIdsUnder(infrastructureOu).sort();
    expect(Summaries?.map((s) => s.Account).sort()).toEqual(expected);
    expect(Summaries?.[0]).toMatchObject({
      Region: 'eu-west-1',
      Status: 'CURRENT',
      StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
      OrganizationalUnitId: infrastructureOu,
      LastOperationId: OperationId,
    });
    const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: 'vg-int-baseline' }));
    expect(StackSet).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      ManagedExecution: { Active: false },
      OrganizationalUnitIds: [infrastructureOu],
      AutoDeployment: { Enabled: true },
      TemplateBody: TEMPLATE,
      Status: 'ACTIVE',
    });
    const account = expected[0] as string;
    const { StackInstance } = await cfn.send(
      new DescribeStackInstanceCommand({
        StackSetName: 'vg-int-baseline',
        StackInstanceAccount: account,
        StackInstanceRegion: 'eu-west-1',
      }),
    );
    expect(StackInstance?.StackId).toMatch(new RegExp(`^arn:aws:cloudformation:eu-west-1:${account}:stack/StackSet-`));
    const { Summaries: sets } = await cfn.send(new ListStackSetsCommand({}));
    expect(sets?.map((s) => s.StackSetName)).toContain('vg-int-baseline');
  });

  it('queues a conflicting operation under managed execution', async () => {
    await createSet('vg-int-managed', true);
    const first = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'vg-int-managed',
        DeploymentTargets: { OrganizationalUnitIds: [infrastructureOu] },
        Regions: ['eu-west-1'],
      }),
    );
    const update = await cfn.send(
      new UpdateStackSetCommand({ StackSetName: 'vg-int-managed', TemplateBody: `${TEMPLATE}# v2\n` }),
    );
    const queued = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: 'vg-int-managed', OperationId: update.OperationId }),
    );
    expect(queued.StackSetOperation?.Status).toBe('QUEUED');
    expect((await waitFor('vg-int-managed', first.OperationId))?.Status).toBe('SUCCEEDED');
    expect((await waitFor('vg-int-managed', update.OperationId))?.Status).toBe('SUCCEEDED');
    const { Summaries } = await cfn.send(new ListStackSetOperationsCommand({ StackSetName: 'vg-int-managed' }));
    expect(Summaries?.map((s) => s.Action)).toEqual(['UPDATE', 'CREATE']);
  });

  it('fails an instance with the execution-role reason, then redrives it', async () => {
    await createSet('vg-int-redrive');
    const egress = sb.accountId('egress');
    const target = {
      StackSetName: 'vg-int-redrive',
      DeploymentTargets: {
        OrganizationalUnitIds: [infrastructureOu],
        Accounts: [egress],
        AccountFilterType: 'INTERSECTION' as const,
      },
      Regions: ['eu-west-1'],
    };
    sb.runtime.faults.add({
      service: 'cloudformation',
      operation: 'DeployStackInstance',
      error: 'ExecutionRoleMissing',
      count: 1,
    });
    const failed = await cfn.send(new CreateStackInstancesCommand(target));
    expect(await waitFor('vg-int-redrive', failed.OperationId)).toMatchObject({
      Status: 'FAILED',
      StatusDetails: { FailedStackInstancesCount: 1 },
    });
    const { Summaries } = await cfn.send(
      new ListStackSetOperationResultsCommand({ StackSetName: 'vg-int-redrive', OperationId: failed.OperationId }),
    );
    expect(Summaries).toEqual([
      expect.objectContaining({
        Account: egress,
        Status: 'FAILED',
        StatusReason: expect.stringContaining("'AWSCloudFormationStackSetExecutionRole' role"),
        AccountGateResult: expect.objectContaining({ Status: 'SKIPPED' }),
      }),
    ]);
    const retry = await cfn.send(new CreateStackInstancesCommand(target));
    expect((await waitFor('vg-int-redrive', retry.OperationId))?.Status).toBe('SUCCEEDED');
    const again = await cfn.send(new CreateStackInstancesCommand({ ...target, OperationId: retry.OperationId }));
    expect(again.OperationId).toBe(retry.OperationId);
  });

  it('sends the documented errors as named exceptions', async () => {
    const name = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => e.name,
      );
    expect(await name(cfn.send(new DescribeStackSetCommand({ StackSetName: 'vg-int-missing' })))).toBe(
      'StackSetNotFoundException',
    );
    await createSet('vg-int-errors');
    expect(await name(createSet('vg-int-errors'))).toBe('NameAlreadyExistsException');
    expect(
      await name(
        cfn.send(new DescribeStackSetOperationCommand({ StackSetName: 'vg-int-errors', OperationId: 'nope' })),
      ),
    ).toBe('OperationNotFoundException');
    expect(
      await name(
        cfn.send(
          new DescribeStackInstanceCommand({
            StackSetName: 'vg-int-errors',
            StackInstanceAccount: '123456789012',
            StackInstanceRegion: 'eu-west-1',
          }),
        ),
      ),
    ).toBe('StackInstanceNotFoundException');
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'vg-int-errors',
        DeploymentTargets: { OrganizationalUnitIds: [infrastructureOu] },
        Regions: ['eu-west-1'],
        OperationPreferences: { MaxConcurrentPercentage: 100 },
      }),
    );
    await waitFor('vg-int-errors', OperationId);
    expect(await name(cfn.send(new DeleteStackSetCommand({ StackSetName: 'vg-int-errors' })))).toBe(
      'StackSetNotEmptyException',
    );
    const del = await cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: 'vg-int-errors',
        DeploymentTargets: { OrganizationalUnitIds: [infrastructureOu] },
        Regions: ['eu-west-1'],
        RetainStacks: false,
        OperationPreferences: { MaxConcurrentPercentage: 100 },
      }),
    );
    expect((await waitFor('vg-int-errors', del.OperationId))?.Status).toBe('SUCCEEDED');
    await cfn.send(new DeleteStackSetCommand({ StackSetName: 'vg-int-errors' }));
    expect(await name(cfn.send(new DescribeStackSetCommand({ StackSetName: 'vg-int-errors' })))).toBe(
      'StackSetNotFoundException',
    );
  });
});

describe('StackSets across a restart', () => {
  it('finishes an operation that was running when the sandbox stopped', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vendguard-cfn-'));
    try {
      const first = await startTestSandbox({ home, timeScale: 60 });
      const client = first.client(CloudFormationClient);
      await client.send(
        new CreateStackSetCommand({
          StackSetName: 'vg-restart',
          TemplateBody: TEMPLATE,
          PermissionModel: 'SERVICE_MANAGED',
        }),
      );
      const { OperationId } = await client.send(
        new CreateStackInstancesCommand({
          StackSetName: 'vg-restart',
          DeploymentTargets: {
            OrganizationalUnitIds: [first.runtime.organizations.ouIdByPath('Infrastructure') as string],
          },
          Regions: ['eu-west-1'],
        }),
      );
      await first.stop();
      const second = await startTestSandbox({ home, timeScale: 60_000 });
      try {
        cfn = second.client(CloudFormationClient);
        await new Promise((r) => setTimeout(r, 50));
        expect((await waitFor('vg-restart', OperationId))?.Status).toBe('SUCCEEDED');
      } finally {
        cfn = sb.client(CloudFormationClient);
        await second.stop();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
