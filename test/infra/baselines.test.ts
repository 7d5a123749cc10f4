// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings use ${Name} on purpose
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_DIR, loadOrganizationConfig, PROJECT_ROOT } from '../../config/load';
import { type CfnTemplate, parseCfnYaml } from '../../infra/lib/cfn-yaml';
import { eventPatternProblem, matchesEventPattern } from '../../sandbox/services/eventbridge/pattern';

const read = (file: string) => parseCfnYaml(readFileSync(join(BASELINE_DIR, file), 'utf8'));
const { config } = loadOrganizationConfig();
const PSEUDO = [
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NoValue',
];

/** Every `Ref`, `Fn::GetAtt` target and `${Name}` of `Fn::Sub` in a value. */
function references(value: unknown, out: { refs: string[]; atts: string[]; conditions: string[] }) {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref') out.refs.push(v as string);
      else if (k === 'Fn::GetAtt') out.atts.push((v as string[])[0]!);
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? (v[0] as string) : (v as string);
        const locals = Array.isArray(v) ? Object.keys(v[1] as object) : [];
        for (const m of text.matchAll(/\$\{([A-Za-z0-9:]+)(\.[A-Za-z.]+)?\}/g)) {
          if (locals.includes(m[1]!)) continue;
          if (m[2]) out.atts.push(m[1]!);
          else out.refs.push(m[1]!);
        }
      } else if (k === 'Fn::If') out.conditions.push((v as string[])[0]!);
      references(v, out);
    }
  }
  return out;
}

function checkIntegrity(template: CfnTemplate) {
  const { refs, atts, conditions } = references(
    { r: template.Resources, o: template.Outputs, c: template.Conditions },
    { refs: [], atts: [], conditions: [] },
  );
  const names = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources), ...PSEUDO]);
  const conds = new Set(Object.keys(template.Conditions ?? {}));
  const used = [
    ...conditions,
    ...Object.values(template.Resources).flatMap((r) => (r.Condition ? [r.Condition] : [])),
    ...Object.values((template.Outputs ?? {}) as Record<string, { Condition?: string }>).flatMap((o) =>
      o.Condition ? [o.Condition] : [],
    ),
  ];
  return {
    unknownRefs: refs.filter((r) => !names.has(r)),
    unknownAtts: atts.filter((a) => !(a in template.Resources)),
    unknownConditions: used.filter((c) => !conds.has(c)),
    unusedParameters: Object.keys(template.Parameters ?? {}).filter((p) => !refs.includes(p)),
  };
}

describe('baseline templates', () => {
  it.each(config.baselines.stackSets.map((s) => [s.template] as const))(
    '%s parses and every Ref, GetAtt, Sub variable and Condition resolves',
    (file) => {
      const template = read(file);
      expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect(checkIntegrity(template)).toEqual({
        unknownRefs: [],
        unknownAtts: [],
        unknownConditions: [],
        unusedParameters: [],
      });
    },
  );

  it('the integrity check catches a dangling reference', () => {
    const broken = read('network-baseline.yaml');
    (broken.Resources.PrivateRouteTable!.Properties as Record<string, unknown>).VpcId = { Ref: 'Vcp' };
    expect(checkIntegrity(broken).unknownRefs).toEqual(['Vcp']);
  });
});

describe('security baseline', () => {
  const t = read('security-baseline.yaml');
  const roles = Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
  const props = (name: string) => t.Resources[name]!.Properties as Record<string, unknown>;

  it('forwards CloudTrail management events to the hub bus through a role EventBridge assumes', () => {
    expect(props('ForwardCloudTrailRule')).toMatchObject({
      Name: 'vendguard-forward-cloudtrail',
      EventPattern: { 'detail-type': ['AWS API Call via CloudTrail'] },
      Targets: [{ Arn: { Ref: 'HubEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['EventForwarderRole', 'Arn'] } }],
    });
    expect(JSON.stringify(props('EventForwarderRole').Policies)).toContain('"Action":"events:PutEvents"');
  });

  it('forwards every CloudTrail sample event that a hub rule reacts to', () => {
    const pattern = (props('ForwardCloudTrailRule') as { EventPattern: Record<string, unknown> }).EventPattern;
    expect(eventPatternProblem(pattern)).toBeUndefined();
    const dir = join(PROJECT_ROOT, 'events', 'samples');
    const samples = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, event: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown> }))
      .filter(({ event }) => event['detail-type'] === 'AWS API Call via CloudTrail');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter(({ event }) => !matchesEventPattern(pattern, event)).map(({ f }) => f)).toEqual([]);
    // and not the vendguard events the hub itself emits
    expect(
      matchesEventPattern(pattern, { 'detail-type': 'Guardrail Finding', source: 'vendguard.guardrails', detail: {} }),
    ).toBe(false);
  });

  it('creates the fixed-name IAM roles only in the global region (us-east-1, where IAM events arrive)', () => {
    expect(t.Parameters?.GlobalRegion?.Default).toBe('us-east-1');
    expect(t.Conditions?.CreateGlobalResources).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'GlobalRegion' }],
    });
    expect(t.Resources.GuardrailRemediationRole!.Condition).toBe('CreateGlobalResources');
    expect(t.Resources.BastionAccessRole!.Condition).toBe('CreateGlobalResources');
    // A regional role must carry the region in its name, or two regions would collide.
    expect(JSON.stringify(props('EventForwarderRole').RoleName)).toContain('${AWS::Region}');
  });

  it('names the remediation role as the config does and trusts only the guardrail roles, by exact ARN', () => {
    expect(t.Parameters?.RemediationRoleName?.Default).toBe(config.vending.remediationRoleName);
    const trust = props('GuardrailRemediationRole').AssumeRolePolicyDocument as {
      Statement: Record<string, unknown>[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' } },
        Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:PrincipalArn': { Ref: 'RemediatorRoleArns' } } },
      },
    ]);
    // exact ARNs, with no default: a name pattern would admit any role a hub administrator creates
    expect(t.Parameters?.RemediatorRoleArns).toMatchObject({ Type: 'CommaDelimitedList' });
    expect(t.Parameters?.RemediatorRoleArns?.Default).toBeUndefined();
  });

  it('lets the remediation role do only what the guardrails undo', () => {
    const policies = props('GuardrailRemediationRole').Policies as {
      PolicyDocument: { Statement: { Action: string[] | string; Effect: string }[] };
    }[];
    const actions = policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => [s.Action].flat())).sort();
    expect(actions).toEqual(
      [
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:StartLogging',
        'ec2:DeleteEgressOnlyInternetGateway',
        'ec2:DeleteInternetGateway',
        'ec2:DescribeEgressOnlyInternetGateways',
        'ec2:DescribeAddresses',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeVpcs',
        'ec2:DetachInternetGateway',
        'ec2:RevokeSecurityGroupIngress',
        's3:GetAccountPublicAccessBlock',
        's3:PutAccountPublicAccessBlock',
      ].sort(),
    );
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  it('lets only the bastion account into the bastion access role', () => {
    const trust = props('BastionAccessRole').AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${BastionAccountId}:root' } },
      Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'BastionAccountId' } } },
    });
  });

  it('names every role so the protect-security SCP covers it', () => {
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      const name = JSON.stringify(role.Properties?.RoleName);
      expect(name).toMatch(/vendguard-|RemediationRoleName/);
    }
  });
});

describe('network baseline', () => {
  const t = read('network-baseline.yaml');
  const ofType = (type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

  it('has no Internet Gateway, NAT gateway or public IPs', () => {
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::EgressOnlyInternetGateway',
      'AWS::EC2::VPCGatewayAttachment',
      'AWS::EC2::NatGateway',
      'AWS::EC2::EIP',
    ]) {
      expect(ofType(type)).toEqual([]);
    }
    expect(ofType('AWS::EC2::Subnet').length).toBeGreaterThan(0);
    for (const [, subnet] of ofType('AWS::EC2::Subnet')) expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
  });

  it('attaches the VPC to the shared Transit Gateway and routes 0.0.0.0/0 to it once attached', () => {
    const attachments = ofType('AWS::EC2::TransitGatewayAttachment');
    expect(attachments).toHaveLength(1);
    const [attachmentId, attachment] = attachments[0]!;
    expect(attachment.Properties?.TransitGatewayId).toEqual({ Ref: 'TransitGatewayId' });
    const defaults = ofType('AWS::EC2::Route').filter(([, r]) => r.Properties?.DestinationCidrBlock === '0.0.0.0/0');
    expect(defaults).toHaveLength(1);
    expect(defaults[0]![1].Properties?.TransitGatewayId).toEqual({ Ref: 'TransitGatewayId' });
    expect(defaults[0]![1].DependsOn).toBe(attachmentId);
  });

  it('routes every subnet through the Transit Gateway route table', () => {
    const subnets = ofType('AWS::EC2::Subnet').map(([id]) => id);
    expect(subnets.length).toBeGreaterThan(0);
    const associated = ofType('AWS::EC2::SubnetRouteTableAssociation').map(
      ([, a]) => (a.Properties?.SubnetId as { Ref?: string } | undefined)?.Ref,
    );
    expect(associated.sort()).toEqual(subnets.sort());
  });
});
