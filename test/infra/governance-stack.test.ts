import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BASELINE_DIR, loadOrganizationConfig, SCP_DIR } from '../../config/load';
import { FUNCTIONS } from '../../functions/manifest';
import { parseCfnYaml } from '../../infra/lib/cfn-yaml';
import { buildVendguardApp } from '../../infra/lib/vendguard-app';
import { type CfnResource, cdkJsonContext, logicalIdOf, type Synthesized, synthesizeApp } from './support';

const { config } = loadOrganizationConfig();
const ouIds = cdkJsonContext()['vendguard:ouIds'] as Record<string, string>;

let app: Synthesized;
beforeAll(() => {
  app = synthesizeApp();
});

const resource = (type: string, props: Record<string, unknown>) =>
  (app.governanceTemplate.findResources(type) as Record<string, CfnResource>)[
    logicalIdOf(app.governanceTemplate, type, props)
  ]!.Properties as Record<string, unknown>;

describe('governance stack: baseline stack sets', () => {
  it.each(config.baselines.stackSets.map((s) => [s.name, s] as const))(
    '%s is service-managed with managed execution, no auto-deployment and the template from config/baselines',
    (name, set) => {
      const props = resource('AWS::CloudFormation::StackSet', { StackSetName: name });
      expect(props).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        ManagedExecution: { Active: true },
        AutoDeployment: { Enabled: false },
        Capabilities: expect.arrayContaining(['CAPABILITY_NAMED_IAM']),
        OperationPreferences: {
          RegionConcurrencyType: config.baselines.operationPreferences.regionConcurrencyType,
          FailureTolerancePercentage: config.baselines.operationPreferences.failureTolerancePercentage,
        },
      });
      expect(props.TemplateBody).toBe(readFileSync(join(BASELINE_DIR, set.template), 'utf8'));
      // Vending deploys each new account: no instances are declared here.
      expect(props.StackInstancesGroup).toBeUndefined();
    },
  );

  it.each(config.baselines.stackSets.map((s) => [s.name, s] as const))(
    '%s receives a value for every template parameter that has no default',
    (name, set) => {
      const declared = parseCfnYaml(readFileSync(join(BASELINE_DIR, set.template), 'utf8')).Parameters ?? {};
      const required = Object.entries(declared)
        .filter(([, p]) => p.Default === undefined)
        .map(([k]) => k);
      const given = (
        resource('AWS::CloudFormation::StackSet', { StackSetName: name }).Parameters as {
          ParameterKey: string;
        }[]
      ).map((p) => p.ParameterKey);
      expect(required.filter((k) => !given.includes(k))).toEqual([]);
      expect(given.filter((k) => !(k in declared))).toEqual([]);
    },
  );

  it('points the security baseline at the hub bus and the bastion account from context', () => {
    const params = resource('AWS::CloudFormation::StackSet', { StackSetName: 'vendguard-baseline-security' })
      .Parameters as { ParameterKey: string; ParameterValue: unknown }[];
    const value = (k: string) => JSON.stringify(params.find((p) => p.ParameterKey === k)?.ParameterValue);
    expect(value('HubEventBusArn')).toContain(':event-bus/vendguard');
    expect(value('BastionAccountId')).toBe(JSON.stringify(cdkJsonContext()['vendguard:bastionAccountId']));
    expect(value('RemediationRoleName')).toBe(JSON.stringify(config.vending.remediationRoleName));
    // the remediation role trusts exactly the execution roles of the functions that assume it
    const remediators = FUNCTIONS.filter((f) => 'assumesMemberRole' in f && f.assumesMemberRole).map(
      (f) => `:role/vendguard-${f.name}`,
    );
    expect(remediators.length).toBeGreaterThan(0);
    const trusted = value('RemediatorRoleArns');
    for (const role of remediators) expect(trusted).toContain(role);
    expect(trusted).not.toContain('vendguard-vend-');
  });
});

describe('governance stack: service control policies', () => {
  it.each(config.scps.map((s) => [s.name, s] as const))(
    '%s carries its document and is attached to the OU ids of its targets and the ids of its accounts',
    (name, scp) => {
      const props = resource('AWS::Organizations::Policy', { Name: name });
      expect(props.Type).toBe('SERVICE_CONTROL_POLICY');
      expect(props.Content).toEqual(JSON.parse(readFileSync(join(SCP_DIR, scp.document), 'utf8')));
      const accountIds = cdkJsonContext()['vendguard:accountIds'] as Record<string, string>;
      expect(props.TargetIds).toEqual([...scp.targets.map((p) => ouIds[p]), ...scp.accounts.map((a) => accountIds[a])]);
    },
  );

  it('refuses to synthesize when an SCP target OU has no id in context', () => {
    const { Workloads: _dropped, ...rest } = ouIds;
    const bare = new App({
      context: { ...cdkJsonContext(), 'vendguard:ouIds': rest, 'vendguard:allowMissingEntries': true },
    });
    expect(() => buildVendguardApp(bare, { nag: false })).toThrow(/vendguard:ouIds has no id for Workloads/);
  });

  it('names every malformed context setting at once', () => {
    const bare = new App({
      context: { ...cdkJsonContext(), 'vendguard:organizationId': 'acme', 'vendguard:bastionAccountId': '12' },
    });
    expect(() => buildVendguardApp(bare, { nag: false })).toThrow(
      /vendguard:organizationId: must be an organization id.*vendguard:bastionAccountId: must be a 12-digit account id/,
    );
  });
});
