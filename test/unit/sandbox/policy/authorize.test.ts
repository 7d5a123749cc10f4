import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCfnYaml } from '../../../../infra/lib/cfn-yaml';
import { authorize, authorizeTrust, parsePolicy } from '../../../../sandbox/policy';
import type { AuthorizationInput, AuthRequest, CompiledPolicy } from '../../../../sandbox/policy/types';
import { ACCOUNT, allowAll, OTHER, policy, request, root, service, session } from './helpers';

const ROOT_DIR = join(__dirname, '../../../..');
const scpFile = (name: string): CompiledPolicy =>
  parsePolicy(readFileSync(join(ROOT_DIR, 'config/scps', `${name}.json`), 'utf8'), 'scp', { kind: 'scp', name });
const fullAccess = () => allowAll('scp');
const admin = () => allowAll('identity');
const BUCKET = 'arn:aws:s3:::shared-data';

describe('authorize', () => {
  describe('SCP levels', () => {
    const igw = request('ec2:CreateInternetGateway');

    it('allows when every level has FullAWSAccess', () => {
      expect(
        authorize({ scpLevels: [[fullAccess()], [fullAccess()], [fullAccess()]], identity: [admin()] }, igw),
      ).toEqual({
        allowed: true,
      });
    });

    it('denies everything, implicitly, under an OU whose only SCP is a Deny', () => {
      const denyOnly = policy('scp', { Effect: 'Deny', Action: 'ec2:*', Resource: '*' });
      const decision = authorize(
        { scpLevels: [[fullAccess()], [denyOnly], [fullAccess()]], identity: [admin()] },
        request('s3:GetObject'),
      );
      expect(decision).toEqual({ allowed: false, denial: 'implicit', deniedBy: 'scp', scpLevel: 1 });
    });

    it('needs one Allow per level, from any of its policies', () => {
      const s3Only = policy('scp', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
      const input = {
        scpLevels: [[fullAccess()], [s3Only, policy('scp', { Effect: 'Deny', Action: 'iam:*', Resource: '*' })]],
        identity: [admin()],
      };
      expect(authorize(input, request('s3:GetObject')).allowed).toBe(true);
      expect(authorize(input, request('ec2:CreateVpc'))).toMatchObject({
        denial: 'implicit',
        deniedBy: 'scp',
        scpLevel: 1,
      });
    });

    it('reports an explicit SCP deny with the policy and Sid, even when a higher level only denies implicitly', () => {
      const onlyS3 = policy('scp', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
      const decision = authorize(
        { scpLevels: [[onlyS3], [fullAccess(), scpFile('deny-internet-gateway')]], identity: [admin()] },
        igw,
      );
      expect(decision).toEqual({
        allowed: false,
        denial: 'explicit',
        deniedBy: 'scp',
        deniedByPolicy: { kind: 'scp', name: 'deny-internet-gateway', sid: 'DenyInternetGateways' },
      });
    });

    it('does not restrict a caller without SCP levels (management account, service-linked roles)', () => {
      expect(authorize({ scpLevels: [], identity: [admin()] }, igw).allowed).toBe(true);
    });

    it('never grants: an SCP Allow without an identity Allow is an implicit identity deny', () => {
      expect(authorize({ scpLevels: [[fullAccess()]], identity: [] }, igw)).toEqual({
        allowed: false,
        denial: 'implicit',
        deniedBy: 'identity',
      });
    });
  });

  describe('identity and resource policies', () => {
    const named = (principal: unknown, effect = 'Allow') =>
      policy('resource', {
        Sid: 'Share',
        Effect: effect,
        Principal: principal,
        Action: 's3:GetObject',
        Resource: `${BUCKET}/*`,
      });
    const get = (caller = session('Developer')) => request('s3:GetObject', `${BUCKET}/a`, caller);
    const readOnly = () => policy('identity', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });

    it('lets an explicit identity Deny win over a resource policy Allow', () => {
      const deny = policy('identity', { Sid: 'NoS3', Effect: 'Deny', Action: 's3:*', Resource: '*' });
      const decision = authorize({ scpLevels: [], identity: [deny], resourcePolicy: named('*') }, get());
      expect(decision).toMatchObject({ denial: 'explicit', deniedBy: 'identity', deniedByPolicy: { sid: 'NoS3' } });
    });

    it('lets an explicit resource policy Deny win over an identity Allow', () => {
      const decision = authorize({ scpLevels: [], identity: [admin()], resourcePolicy: named('*', 'Deny') }, get());
      expect(decision).toMatchObject({
        denial: 'explicit',
        deniedBy: 'resource',
        deniedByPolicy: { kind: 'resource', sid: 'Share' },
      });
    });

    it('allows in the same account when the resource policy names the principal, without an identity Allow', () => {
      const rp = named({ AWS: 'arn:aws:iam::111111111111:role/Developer' });
      expect(authorize({ scpLevels: [], identity: [], resourcePolicy: rp }, get()).allowed).toBe(true);
    });

    it("needs an identity Allow in the same account when the resource policy names only the principal's account", () => {
      const rp = named({ AWS: ACCOUNT });
      expect(authorize({ scpLevels: [], identity: [], resourcePolicy: rp }, get())).toMatchObject({
        deniedBy: 'identity',
      });
      expect(authorize({ scpLevels: [], identity: [readOnly()], resourcePolicy: rp }, get()).allowed).toBe(true);
    });

    it('allows in the same account on an identity Allow alone', () => {
      expect(authorize({ scpLevels: [], identity: [readOnly()] }, get()).allowed).toBe(true);
    });

    it('needs both the identity and the resource policy across accounts', () => {
      const caller = session('Developer', OTHER);
      const base: AuthorizationInput = { scpLevels: [], identity: [readOnly()], resourceAccountId: ACCOUNT };
      expect(authorize(base, get(caller))).toEqual({ allowed: false, denial: 'implicit', deniedBy: 'resource' });
      expect(authorize({ ...base, identity: [], resourcePolicy: named({ AWS: OTHER }) }, get(caller))).toMatchObject({
        deniedBy: 'identity',
      });
      expect(authorize({ ...base, resourcePolicy: named({ AWS: OTHER }) }, get(caller)).allowed).toBe(true);
      expect(authorize({ ...base, resourcePolicy: named({ AWS: ACCOUNT }) }, get(caller))).toMatchObject({
        deniedBy: 'resource',
      });
    });

    it('lets the account root user act in its own account without identity policies, but not past an SCP deny', () => {
      const req = request('ec2:CreateVpc', '*', root());
      expect(authorize({ scpLevels: [[fullAccess()]], identity: [] }, req).allowed).toBe(true);
      expect(
        authorize({ scpLevels: [[fullAccess(), scpFile('deny-root-and-leave')]], identity: [] }, req),
      ).toMatchObject({
        denial: 'explicit',
        deniedByPolicy: { sid: 'DenyRootUser' },
      });
    });

    it('authorizes a service principal by the resource policy that names it', () => {
      const bus = 'arn:aws:events:eu-west-1:111111111111:event-bus/vendguard';
      const rp = policy('resource', {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'events:PutEvents',
        Resource: bus,
      });
      const req = request('events:PutEvents', bus, service('events.amazonaws.com', OTHER));
      expect(
        authorize({ scpLevels: [], identity: [], resourcePolicy: rp, resourceAccountId: ACCOUNT }, req).allowed,
      ).toBe(true);
      expect(authorize({ scpLevels: [], identity: [], resourceAccountId: ACCOUNT }, req)).toMatchObject({
        deniedBy: 'identity',
      });
    });

    it('returns one shared object for every allowed decision', () => {
      const input = { scpLevels: [], identity: [admin()] };
      expect(authorize(input, get())).toBe(authorize(input, request('ec2:CreateVpc')));
    });
  });

  describe('the project SCPs', () => {
    const all = ['deny-internet-gateway', 'deny-root-and-leave', 'protect-security', 'region-restriction'].map(scpFile);
    const vended: AuthorizationInput = { scpLevels: [[fullAccess()], [fullAccess(), ...all]], identity: [admin()] };
    const quarantined: AuthorizationInput = {
      scpLevels: [[fullAccess()], [fullAccess(), scpFile('quarantine')]],
      identity: [admin()],
    };
    const as = (role: string, action: string, resource = '*', region = 'eu-west-1'): AuthRequest =>
      request(action, resource, session(role), { 'aws:RequestedRegion': region });
    const sidOf = (input: AuthorizationInput, req: AuthRequest) => {
      const d = authorize(input, req);
      return d.allowed ? 'allowed' : (d.deniedByPolicy?.sid ?? d.denial);
    };

    it.each<[string, AuthorizationInput, AuthRequest, string]>([
      [
        'deny-internet-gateway denies a Developer ec2:CreateInternetGateway',
        vended,
        as('Developer', 'ec2:CreateInternetGateway'),
        'DenyInternetGateways',
      ],
      [
        'deny-internet-gateway lets the remediation role through',
        vended,
        as('VendguardGuardrailRemediation', 'ec2:CreateInternetGateway'),
        'allowed',
      ],
      [
        'deny-internet-gateway no longer exempts a vendguard-* name (a member could have made one)',
        vended,
        as('vendguard-guard-igw', 'ec2:AttachInternetGateway'),
        'DenyInternetGateways',
      ],
      [
        'deny-internet-gateway exempts the remediation role by its exact name',
        vended,
        as('VendguardGuardrailRemediation', 'ec2:AttachInternetGateway'),
        'allowed',
      ],
      [
        'region-restriction denies a regional call outside the approved regions',
        vended,
        as('Developer', 'ec2:CreateVpc', '*', 'ap-south-1'),
        'DenyUnapprovedRegions',
      ],
      [
        'region-restriction allows an approved region',
        vended,
        as('Developer', 'ec2:CreateVpc', '*', 'eu-central-1'),
        'allowed',
      ],
      [
        'region-restriction exempts global services (NotAction)',
        vended,
        as('Developer', 'iam:CreateRole', '*', 'ap-south-1'),
        'allowed',
      ],
      [
        'region-restriction exempts OrganizationAccountAccessRole',
        vended,
        as('OrganizationAccountAccessRole', 'ec2:CreateVpc', '*', 'ap-south-1'),
        'allowed',
      ],
      [
        'protect-security denies cloudtrail:StopLogging to a Developer',
        vended,
        as('Developer', 'cloudtrail:StopLogging'),
        'ProtectCloudTrail',
      ],
      [
        'protect-security lets the remediation role restart trails',
        vended,
        as('VendguardGuardrailRemediation', 'cloudtrail:StopLogging'),
        'allowed',
      ],
      [
        'protect-security protects vendguard roles from a Developer',
        vended,
        as('Developer', 'iam:DeleteRole', 'arn:aws:iam::111111111111:role/vendguard-event-forwarder-us-east-1'),
        'ProtectVendguardRoles',
      ],
      [
        'protect-security lets StackSets execution roles manage vendguard roles',
        vended,
        as(
          'stacksets-exec-abc',
          'iam:DeleteRole',
          'arn:aws:iam::111111111111:role/vendguard-event-forwarder-us-east-1',
        ),
        'allowed',
      ],
      [
        'protect-security leaves other roles alone',
        vended,
        as('Developer', 'iam:DeleteRole', 'arn:aws:iam::111111111111:role/app'),
        'allowed',
      ],
      [
        'protect-security protects vendguard rules',
        vended,
        as('Developer', 'events:DeleteRule', 'arn:aws:events:eu-west-1:111111111111:rule/vendguard-forward-cloudtrail'),
        'ProtectVendguardRules',
      ],
      [
        'deny-root-and-leave denies leaving the organization to anyone',
        vended,
        as('OrganizationAccountAccessRole', 'organizations:LeaveOrganization'),
        'DenyLeavingOrganization',
      ],
      [
        'quarantine denies everything to a Developer',
        quarantined,
        as('Developer', 's3:ListAllMyBuckets'),
        'QuarantineDenyAllButBaseline',
      ],
      [
        'quarantine lets the StackSets execution role deploy baselines',
        quarantined,
        as('stacksets-exec-1234', 'cloudformation:CreateStack'),
        'allowed',
      ],
      [
        'quarantine lets OrganizationAccountAccessRole in',
        quarantined,
        as('OrganizationAccountAccessRole', 'iam:CreateRole'),
        'allowed',
      ],
    ])('%s', (_, input, req, expected) => {
      expect(sidOf(input, req)).toBe(expected);
    });
  });
});

/** Resolves `Ref` and `Fn::Sub` against parameters (enough for the baseline's trust policies). */
function resolveIntrinsics(value: unknown, params: Record<string, string | string[]>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, params));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === 'Ref') return params[entries[0]![1] as string];
  if (entries.length === 1 && entries[0]![0] === 'Fn::Sub') {
    return (entries[0]![1] as string).replace(/\$\{([\w:]+)\}/g, (_, name: string) => String(params[name]));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, params)]));
}

describe('trust policies (sts:AssumeRole)', () => {
  const HUB = '222222222222';
  const BASTION = '333333333333';
  const template = parseCfnYaml(readFileSync(join(ROOT_DIR, 'config/baselines/security-baseline.yaml'), 'utf8'));
  const params = {
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    HubAccountId: HUB,
    BastionAccountId: BASTION,
    RemediatorRoleArns: [`arn:aws:iam::${HUB}:role/vendguard-guard-igw`, `arn:aws:iam::${HUB}:role/vendguard-guard-sg`],
  };
  const trustOf = (logicalId: string): CompiledPolicy => {
    const document = resolveIntrinsics(template.Resources[logicalId]!.Properties!.AssumeRolePolicyDocument, params);
    return parsePolicy(document as object, 'trust', { kind: 'trust', name: logicalId });
  };
  const assumeOwnRoles = () =>
    policy('identity', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' });
  const assume = (roleName: string, caller = session('vendguard-guard-igw', HUB), context = {}) =>
    request('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/${roleName}`, caller, context);

  it('parses every AssumeRolePolicyDocument of the security baseline', () => {
    for (const id of ['EventForwarderRole', 'GuardrailRemediationRole', 'BastionAccessRole']) {
      expect(trustOf(id).allows).toHaveLength(1);
    }
  });

  describe('GuardrailRemediationRole (trusts the hub account root, ArnEquals aws:PrincipalArn: the guardrail roles)', () => {
    const trust = () => trustOf('GuardrailRemediationRole');
    const hubScps = () => [[fullAccess()]];

    it('allows a guardrail function role whose identity policy allows sts:AssumeRole', () => {
      expect(
        authorizeTrust(
          trust(),
          { scpLevels: hubScps(), identity: [assumeOwnRoles()] },
          assume('VendguardGuardrailRemediation'),
        ).allowed,
      ).toBe(true);
    });

    it('needs the caller identity policy too, the trust naming only the hub account', () => {
      expect(
        authorizeTrust(trust(), { scpLevels: hubScps(), identity: [] }, assume('VendguardGuardrailRemediation')),
      ).toEqual({
        allowed: false,
        denial: 'implicit',
        deniedBy: 'identity',
      });
    });

    it('refuses any other hub role, even one named like vendguard-* (a hub admin could create it)', () => {
      const caller = session('vendguard-impostor', HUB);
      expect(
        authorizeTrust(
          trust(),
          { scpLevels: [], identity: [assumeOwnRoles()] },
          assume('VendguardGuardrailRemediation', caller),
        ),
      ).toMatchObject({
        deniedBy: 'trust',
      });
    });

    it('refuses a vendguard-* role of another account', () => {
      const caller = session('vendguard-guard-igw', '444444444444');
      expect(
        authorizeTrust(
          trust(),
          { scpLevels: [], identity: [assumeOwnRoles()] },
          assume('VendguardGuardrailRemediation', caller),
        ),
      ).toMatchObject({
        deniedBy: 'trust',
      });
    });

    it("applies the caller's SCPs", () => {
      const deny = policy('scp', { Sid: 'NoAssume', Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' });
      expect(
        authorizeTrust(
          trust(),
          { scpLevels: [[fullAccess(), deny]], identity: [assumeOwnRoles()] },
          assume('VendguardGuardrailRemediation'),
        ),
      ).toMatchObject({ denial: 'explicit', deniedBy: 'scp', deniedByPolicy: { sid: 'NoAssume' } });
    });

    it('decides the same through authorize with the trust policy as the resource policy', () => {
      const input = {
        scpLevels: [],
        identity: [assumeOwnRoles()],
        resourcePolicy: trust(),
        resourceAccountId: ACCOUNT,
      };
      expect(authorize(input, assume('VendguardGuardrailRemediation')).allowed).toBe(true);
      expect(authorize({ ...input, identity: [] }, assume('VendguardGuardrailRemediation'))).toMatchObject({
        deniedBy: 'identity',
      });
    });
  });

  describe('EventForwarderRole (trusts events.amazonaws.com with aws:SourceAccount)', () => {
    it('allows EventBridge acting for the account', () => {
      const req = assume('vendguard-event-forwarder-us-east-1', service('events.amazonaws.com'), {
        'aws:SourceAccount': ACCOUNT,
      });
      expect(authorizeTrust(trustOf('EventForwarderRole'), { scpLevels: [], identity: [] }, req).allowed).toBe(true);
    });

    it('refuses EventBridge acting for another account (confused deputy)', () => {
      const req = assume('vendguard-event-forwarder-us-east-1', service('events.amazonaws.com'), {
        'aws:SourceAccount': OTHER,
      });
      expect(authorizeTrust(trustOf('EventForwarderRole'), { scpLevels: [], identity: [] }, req)).toMatchObject({
        deniedBy: 'trust',
      });
    });
  });

  describe('BastionAccessRole (trusts the bastion account, StringEquals aws:PrincipalAccount)', () => {
    it('allows a bastion session whose identity policy allows it, and no one else', () => {
      const input = { scpLevels: [], identity: [assumeOwnRoles()] };
      expect(
        authorizeTrust(
          trustOf('BastionAccessRole'),
          input,
          assume('vendguard-bastion-access', session('Operator', BASTION)),
        ).allowed,
      ).toBe(true);
      expect(
        authorizeTrust(
          trustOf('BastionAccessRole'),
          input,
          assume('vendguard-bastion-access', session('Operator', HUB)),
        ),
      ).toMatchObject({
        deniedBy: 'trust',
      });
    });
  });

  describe('same-account trust', () => {
    const caller = session('Developer');
    it('lets a trust policy that names the caller role allow on its own', () => {
      const trust = policy('trust', {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:role/Developer' },
        Action: 'sts:AssumeRole',
      });
      expect(authorizeTrust(trust, { scpLevels: [], identity: [] }, assume('Target', caller)).allowed).toBe(true);
    });

    it('needs the identity policy when the trust policy names the account root', () => {
      const trust = policy('trust', {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      });
      expect(authorizeTrust(trust, { scpLevels: [], identity: [] }, assume('Target', caller))).toMatchObject({
        deniedBy: 'identity',
      });
      expect(
        authorizeTrust(trust, { scpLevels: [], identity: [assumeOwnRoles()] }, assume('Target', caller)).allowed,
      ).toBe(true);
    });

    it('refuses a caller the trust policy does not name, whatever its identity policies allow', () => {
      const trust = policy('trust', {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      });
      expect(authorizeTrust(trust, { scpLevels: [], identity: [admin()] }, assume('Target', caller))).toEqual({
        allowed: false,
        denial: 'implicit',
        deniedBy: 'trust',
      });
    });

    it('reports a Deny in the trust policy as an explicit trust denial', () => {
      const trust = policy(
        'trust',
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        {
          Sid: 'NotDevelopers',
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::111111111111:role/Developer' },
          Action: 'sts:*',
        },
      );
      expect(authorizeTrust(trust, { scpLevels: [], identity: [admin()] }, assume('Target', caller))).toMatchObject({
        denial: 'explicit',
        deniedBy: 'trust',
        deniedByPolicy: { sid: 'NotDevelopers' },
      });
    });

    it("needs the identity policy across accounts even when the trust names the caller's role", () => {
      const trust = policy('trust', {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER}:role/Developer` },
        Action: 'sts:AssumeRole',
      });
      const other = session('Developer', OTHER);
      expect(authorizeTrust(trust, { scpLevels: [], identity: [] }, assume('Target', other))).toMatchObject({
        deniedBy: 'identity',
      });
      expect(
        authorizeTrust(trust, { scpLevels: [], identity: [assumeOwnRoles()] }, assume('Target', other)).allowed,
      ).toBe(true);
    });
  });
});
