import { CloudFormationClient, DescribeStackSetCommand, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { loadOrganizationConfig } from '../../../infra/config/load';
import { deployGovernance } from '../../../sandbox/deploy';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
const { config, baselineTemplates } = loadOrganizationConfig();

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb?.stop());

describe('the sandbox deploys what the governance stack deploys', () => {
  it('creates every baseline stack set of the config on start, service-managed with managed execution', async () => {
    const cfn = sb.client(CloudFormationClient);
    const listed = await cfn.send(new ListStackSetsCommand({ Status: 'ACTIVE' }));
    expect((listed.Summaries ?? []).map((s) => s.StackSetName).sort()).toEqual(
      config.baselines.stackSets.map((s) => s.name).sort(),
    );
    for (const s of config.baselines.stackSets) {
      const { StackSet } = await cfn.send(new DescribeStackSetCommand({ StackSetName: s.name }));
      expect(StackSet).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        ManagedExecution: { Active: true },
        AutoDeployment: { Enabled: false },
        TemplateBody: baselineTemplates[s.template],
      });
    }
  });

  it('leaves unchanged stack sets alone when deployed again', async () => {
    const again = await deployGovernance(sb.runtime, sb.endpoint);
    expect(again.map((d) => d.action)).toEqual(config.baselines.stackSets.map(() => 'unchanged'));
  });
});
