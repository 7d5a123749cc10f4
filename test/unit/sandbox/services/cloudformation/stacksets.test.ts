import {
  CLOUDFORMATION_TABLES,
  createCloudFormationService,
  type DeployedRecord,
} from '../../../../../sandbox/services/cloudformation';
import { createTestRuntime, type TestRuntime } from '../../../../helpers/runtime';

type Result = Record<string, unknown>;

/** The smallest template CloudFormation accepts: one resource. */
const TEMPLATE = 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16';

describe('CloudFormation StackSets', () => {
  let rt: TestRuntime;
  let call: (op: string, input: Result) => Promise<Result>;
  let prod: string;
  let dev: string;

  beforeEach(() => {
    rt = createTestRuntime();
    const service = createCloudFormationService(rt);
    call = async (op, input) => {
      const handler = service.operations[op];
      if (!handler) throw new Error(`no ${op}`);
      return (await handler(input, rt.context(op, { service: 'cloudformation' }))) as Result;
    };
    prod = rt.addAccount('team-a-prod', 'Workloads/Prod');
    dev = rt.addAccount('team-a-dev', 'Workloads/Dev');
  });
  afterEach(() => rt.close());

  const createSet = (name: string, managed = false, model = 'SERVICE_MANAGED') =>
    call('CreateStackSet', {
      StackSetName: name,
      TemplateBody: TEMPLATE,
      PermissionModel: model,
      ...(managed ? { ManagedExecution: { Active: 'true' } } : {}),
    });
  const deploy = (name: string, ou: string, extra: Result = {}) =>
    call('CreateStackInstances', {
      StackSetName: name,
      DeploymentTargets: { OrganizationalUnitIds: [rt.ouId(ou)] },
      Regions: ['eu-west-1'],
      ...extra,
    });
  const status = async (name: string, id: unknown) =>
    ((await call('DescribeStackSetOperation', { StackSetName: name, OperationId: id })).StackSetOperation as Result)
      .Status;
  const instances = async (name: string) =>
    (await call('ListStackInstances', { StackSetName: name })).Summaries as Result[];

  it('runs an operation from RUNNING to SUCCEEDED on the clock and records the deployed template', async () => {
    await createSet('baseline');
    const { OperationId } = await deploy('baseline', 'Workloads/Prod');
    expect(await status('baseline', OperationId)).toBe('RUNNING');
    const [pending] = await instances('baseline');
    expect(pending).toMatchObject({
      Account: prod,
      Status: 'OUTDATED',
      OrganizationalUnitId: rt.ouId('Workloads/Prod'),
    });
    expect((pending?.StackInstanceStatus as Result | undefined)?.DetailedStatus).toMatch(/PENDING|RUNNING/);

    rt.clock.advance(61_000);
    const op = (await call('DescribeStackSetOperation', { StackSetName: 'baseline', OperationId }))
      .StackSetOperation as Result;
    expect(op).toMatchObject({ Status: 'SUCCEEDED', Action: 'CREATE' });
    expect(Date.parse(op.EndTimestamp as string) - Date.parse(op.CreationTimestamp as string)).toBeGreaterThanOrEqual(
      20_000,
    );
    expect(await instances('baseline')).toEqual([
      expect.objectContaining({
        Account: prod,
        Status: 'CURRENT',
        StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
      }),
    ]);
    const deployed = rt.store.get<DeployedRecord>(CLOUDFORMATION_TABLES.deployed, `${prod}/eu-west-1/baseline`);
    expect(deployed).toMatchObject({ templateBody: TEMPLATE, operationId: OperationId });
  });

  it('rejects a second operation while one runs without managed execution', async () => {
    await createSet('baseline');
    const first = await deploy('baseline', 'Workloads/Prod');
    await expect(deploy('baseline', 'Workloads/Dev')).rejects.toMatchObject({
      code: 'OperationInProgressException',
      status: 409,
      message: expect.stringContaining(first.OperationId as string),
    });
    rt.clock.advance(61_000);
    await expect(deploy('baseline', 'Workloads/Dev')).resolves.toHaveProperty('OperationId');
  });

  it('queues a conflicting operation under managed execution and starts it when the first ends', async () => {
    await createSet('baseline', true);
    const first = await deploy('baseline', 'Workloads/Prod');
    const second = await call('UpdateStackSet', {
      StackSetName: 'baseline',
      TemplateBody: `${TEMPLATE}\n  Second:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16`,
    });
    expect(await status('baseline', first.OperationId)).toBe('RUNNING');
    expect(await status('baseline', second.OperationId)).toBe('QUEUED');

    rt.clock.advance(61_000);
    expect(await status('baseline', first.OperationId)).toBe('SUCCEEDED');
    expect(await status('baseline', second.OperationId)).toBe('RUNNING');
    rt.clock.advance(61_000);
    expect(await status('baseline', second.OperationId)).toBe('SUCCEEDED');
    const deployed = rt.store.get<DeployedRecord>(CLOUDFORMATION_TABLES.deployed, `${prod}/eu-west-1/baseline`);
    expect(deployed?.templateBody).toBe(
      `${TEMPLATE}\n  Second:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16`,
    );
  });

  it('runs non-conflicting operations concurrently under managed execution', async () => {
    await createSet('baseline', true);
    const a = await deploy('baseline', 'Workloads/Prod');
    const b = await deploy('baseline', 'Workloads/Dev');
    expect(await status('baseline', a.OperationId)).toBe('RUNNING');
    expect(await status('baseline', b.OperationId)).toBe('RUNNING');
  });

  it('fails an instance with an AWS-like reason and succeeds on a later operation', async () => {
    await createSet('baseline');
    rt.setFaults((service, op) =>
      service === 'cloudformation' && op === 'DeployStackInstance'
        ? { error: { code: 'ExecutionRoleMissing', message: 'Injected fault: x', status: 400 } }
        : undefined,
    );
    const failed = await deploy('baseline', 'Workloads/Prod');
    rt.clock.advance(61_000);
    const op = (await call('DescribeStackSetOperation', { StackSetName: 'baseline', OperationId: failed.OperationId }))
      .StackSetOperation as Result;
    expect(op).toMatchObject({ Status: 'FAILED', StatusDetails: { FailedStackInstancesCount: 1 } });
    const results = (
      await call('ListStackSetOperationResults', { StackSetName: 'baseline', OperationId: failed.OperationId })
    ).Summaries as Result[];
    expect(results).toEqual([
      expect.objectContaining({
        Account: prod,
        Status: 'FAILED',
        StatusReason: expect.stringContaining("should have 'AWSCloudFormationStackSetExecutionRole' role"),
        AccountGateResult: expect.objectContaining({ Status: 'SKIPPED' }),
      }),
    ]);
    expect(await instances('baseline')).toEqual([
      expect.objectContaining({ Status: 'OUTDATED', StackInstanceStatus: { DetailedStatus: 'FAILED' } }),
    ]);

    rt.setFaults(undefined);
    const retry = await deploy('baseline', 'Workloads/Prod');
    rt.clock.advance(61_000);
    expect(await status('baseline', retry.OperationId)).toBe('SUCCEEDED');
    expect(await instances('baseline')).toEqual([expect.objectContaining({ Status: 'CURRENT' })]);
  });

  it('cancels the remaining accounts once the failure tolerance is exceeded', async () => {
    rt.addAccount('team-b-prod', 'Workloads/Prod');
    await createSet('baseline');
    rt.setFaults(() => ({ error: { code: 'ResourceFailure', message: 'Injected fault: y', status: 400 } }));
    const { OperationId } = await deploy('baseline', 'Workloads/Prod');
    rt.clock.advance(200_000);
    const results = (await call('ListStackSetOperationResults', { StackSetName: 'baseline', OperationId }))
      .Summaries as Result[];
    expect(results.map((r) => r.Status)).toEqual(['FAILED', 'CANCELLED']);
  });

  it.each([
    ['NONE', [], (p: string, d: string) => [p, d]],
    ['INTERSECTION', ['dev'], (_p: string, d: string) => [d]],
    ['DIFFERENCE', ['dev'], (p: string) => [p]],
    ['UNION', ['security'], (p: string, d: string, s: string) => [p, d, s]],
  ] as const)('resolves accounts with AccountFilterType %s', async (filter, listed, expected) => {
    await createSet('baseline', true);
    const security = rt.organizations.accountIdByName('security-tooling') as string;
    const named: Record<string, string> = { dev, security };
    const { OperationId } = await call('CreateStackInstances', {
      StackSetName: 'baseline',
      DeploymentTargets: {
        OrganizationalUnitIds: [rt.ouId('Workloads')],
        ...(listed.length ? { Accounts: listed.map((n) => named[n]) } : {}),
        AccountFilterType: filter,
      },
      Regions: ['eu-west-1'],
      OperationPreferences: { MaxConcurrentPercentage: '100' },
    });
    const results = (await call('ListStackSetOperationResults', { StackSetName: 'baseline', OperationId }))
      .Summaries as Result[];
    expect(results.map((r) => r.Account).sort()).toEqual([...expected(prod, dev, security)].sort());
  });

  it('returns the same operation for a repeated OperationId and refuses it for another request', async () => {
    await createSet('baseline');
    const first = await deploy('baseline', 'Workloads/Prod', { OperationId: 'op-1' });
    const again = await deploy('baseline', 'Workloads/Prod', { OperationId: 'op-1' });
    expect(again.OperationId).toBe(first.OperationId);
    expect((await call('ListStackSetOperations', { StackSetName: 'baseline' })).Summaries).toHaveLength(1);
    await expect(deploy('baseline', 'Workloads/Dev', { OperationId: 'op-1' })).rejects.toMatchObject({
      code: 'OperationIdAlreadyExistsException',
    });
  });

  it('deploys regions one after the other by default and in parallel on request', async () => {
    await createSet('seq');
    await createSet('par');
    const regions = ['eu-west-1', 'eu-central-1'];
    const seq = await deploy('seq', 'Workloads/Prod', { Regions: regions });
    const par = await deploy('par', 'Workloads/Prod', {
      Regions: regions,
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL' },
    });
    rt.clock.advance(10_000);
    const running = async (name: string, id: unknown) =>
      ((await call('ListStackSetOperationResults', { StackSetName: name, OperationId: id })).Summaries as Result[]).map(
        (r) => r.Status,
      );
    expect(await running('seq', seq.OperationId)).toEqual(['RUNNING', 'PENDING']);
    expect(await running('par', par.OperationId)).toEqual(['RUNNING', 'RUNNING']);
  });

  it.each([
    ['Resources: {}', 'Template format error: At least one Resources member must be defined.'],
    ['Resources: [oops', 'Template format error: YAML not well-formed.'],
    ['{"Resources": ', 'Template format error: JSON not well-formed.'],
    [
      'Resources:\n  X:\n    Properties: {}',
      'Template format error: [/Resources/X] Every Resources object must contain a Type member.',
    ],
    ['Resources:\n  X:\n    Type: Bogus', 'Template format error: Unrecognized resource types: [Bogus]'],
    [
      'Resources:\n  X:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Missing',
      'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'Resources:\n  X:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub "${AWS::Region}-${Nope}"',
      'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template',
    ],
    [
      'Parameters:\n  Name:\n    Type: String\nResources:\n  X:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Name',
      'Parameters: [Name] must have values',
    ],
    [
      'Resources:\n  X:\n    Type: AWS::SNS::Topic\n    Condition: Nowhere',
      'Template format error: Unresolved dependencies [Nowhere]. Cannot reference resources in the Conditions block of the template',
    ],
    ['Resource:\n  X:\n    Type: AWS::SNS::Topic', 'Invalid template property or properties [Resource]'],
  ])('refuses the template %j with ValidationError and creates nothing', async (TemplateBody, message) => {
    await expect(call('CreateStackSet', { StackSetName: 'invalid', TemplateBody })).rejects.toMatchObject({
      code: 'ValidationError',
      message,
    });
    await expect(call('DescribeStackSet', { StackSetName: 'invalid' })).rejects.toMatchObject({
      code: 'StackSetNotFoundException',
    });
  });

  it('refuses an update to an invalid template and keeps the last one', async () => {
    await createSet('baseline');
    await expect(
      call('UpdateStackSet', { StackSetName: 'baseline', TemplateBody: 'Resources: {}' }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    expect(
      ((await call('DescribeStackSet', { StackSetName: 'baseline' })).StackSet as { TemplateBody: string })
        .TemplateBody,
    ).toBe(TEMPLATE);
  });

  it('names errors as AWS does', async () => {
    await createSet('baseline');
    await expect(createSet('baseline')).rejects.toMatchObject({ code: 'NameAlreadyExistsException', status: 409 });
    await expect(call('DescribeStackSet', { StackSetName: 'nope' })).rejects.toMatchObject({
      code: 'StackSetNotFoundException',
    });
    await expect(
      call('DescribeStackInstance', {
        StackSetName: 'baseline',
        StackInstanceAccount: prod,
        StackInstanceRegion: 'eu-west-1',
      }),
    ).rejects.toMatchObject({ code: 'StackInstanceNotFoundException' });
    await expect(
      call('DescribeStackSetOperation', { StackSetName: 'baseline', OperationId: 'x' }),
    ).rejects.toMatchObject({ code: 'OperationNotFoundException' });
    await expect(
      call('CreateStackInstances', { StackSetName: 'baseline', Accounts: [prod], Regions: ['eu-west-1'] }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(
      call('CreateStackSet', {
        StackSetName: 'iam',
        TemplateBody: 'Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: x',
      }),
    ).rejects.toMatchObject({ code: 'InsufficientCapabilitiesException' });
  });

  it('deletes instances, then the stack set, refusing while instances remain', async () => {
    await createSet('baseline');
    await deploy('baseline', 'Workloads/Prod');
    rt.clock.advance(61_000);
    await expect(call('DeleteStackSet', { StackSetName: 'baseline' })).rejects.toMatchObject({
      code: 'StackSetNotEmptyException',
    });
    const del = await call('DeleteStackInstances', {
      StackSetName: 'baseline',
      DeploymentTargets: { OrganizationalUnitIds: [rt.ouId('Workloads/Prod')] },
      Regions: ['eu-west-1'],
      RetainStacks: 'false',
    });
    rt.clock.advance(61_000);
    expect(await status('baseline', del.OperationId)).toBe('SUCCEEDED');
    expect(await instances('baseline')).toEqual([]);
    expect(rt.store.get(CLOUDFORMATION_TABLES.deployed, `${prod}/eu-west-1/baseline`)).toBeUndefined();
    await expect(call('DeleteStackSet', { StackSetName: 'baseline' })).resolves.toEqual({});
  });

  it('stops an operation: started deployments finish, the others are cancelled', async () => {
    rt.addAccount('team-b-prod', 'Workloads/Prod');
    await createSet('baseline');
    const { OperationId } = await deploy('baseline', 'Workloads/Prod');
    rt.clock.advance(5_000);
    await expect(call('StopStackSetOperation', { StackSetName: 'baseline', OperationId })).resolves.toEqual({});
    expect(await status('baseline', OperationId)).toBe('STOPPING');
    rt.clock.advance(61_000);
    expect(await status('baseline', OperationId)).toBe('STOPPED');
    const results = (await call('ListStackSetOperationResults', { StackSetName: 'baseline', OperationId }))
      .Summaries as Result[];
    expect(results.map((r) => r.Status)).toEqual(['SUCCEEDED', 'CANCELLED']);
    await expect(call('StopStackSetOperation', { StackSetName: 'baseline', OperationId })).rejects.toMatchObject({
      code: 'InvalidOperationException',
    });
    await expect(deploy('baseline', 'Workloads/Prod')).resolves.toHaveProperty('OperationId');
  });

  it('fails a self-managed instance in an account outside the organization', async () => {
    await createSet('self', false, 'SELF_MANAGED');
    const { OperationId } = await call('CreateStackInstances', {
      StackSetName: 'self',
      Accounts: ['999999999999'],
      Regions: ['eu-west-1'],
    });
    rt.clock.advance(61_000);
    expect(await status('self', OperationId)).toBe('FAILED');
  });
});
