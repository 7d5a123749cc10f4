// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are ${…} on purpose
import { evaluatePolicy } from '../../../../sandbox/policy';
import type { AuthPrincipal } from '../../../../sandbox/policy/types';
import { OTHER, policy, request, root, service, session, user } from './helpers';

const BUCKET = 'arn:aws:s3:::vendguard-data';

describe('evaluatePolicy', () => {
  it('is NotApplicable when no statement applies (implicit deny)', () => {
    const p = policy('identity', { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    expect(evaluatePolicy(p, request('s3:PutObject', `${BUCKET}/a`))).toEqual({ effect: 'NotApplicable' });
  });

  it('allows with the Sid of the statement that allowed', () => {
    const p = policy('identity', { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/a`))).toEqual({ effect: 'Allow', sid: 'Read' });
  });

  it('lets an explicit Deny win over an Allow, wherever it is in the document', () => {
    const p = policy(
      'identity',
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    );
    expect(evaluatePolicy(p, request('s3:DeleteObject', `${BUCKET}/a`))).toEqual({ effect: 'Deny', sid: 'NoDelete' });
    expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/a`)).effect).toBe('Allow');
  });

  describe('Action and NotAction', () => {
    it.each<[string, string | string[], string, boolean]>([
      ['"*" matches every action', '*', 'ec2:CreateVpc', true],
      ['"service:*" matches the service', 'ec2:*', 'ec2:CreateVpc', true],
      ['"service:*" does not match another service', 'ec2:*', 'ec2messages:GetMessages', false],
      ['a trailing wildcard matches a prefix', 'ec2:Describe*', 'ec2:DescribeVpcs', true],
      ['a leading wildcard matches a suffix', 'ec2:*InternetGateway', 'ec2:AttachInternetGateway', true],
      ['a wildcard in the middle matches', 'ec2:*Internet*', 'ec2:DeleteEgressOnlyInternetGateway', true],
      ['? matches one character', 's3:Get?bject', 's3:GetObject', true],
      ['matching is case-insensitive both ways', 'EC2:createVPC', 'ec2:CreateVpc', true],
      ['a list is ORed', ['s3:GetObject', 'ec2:CreateVpc'], 'ec2:CreateVpc', true],
      ['an exact action does not match a longer one', 'iam:PassRole', 'iam:PassRoles', false],
    ])('%s', (_, action, requested, expected) => {
      const p = policy('identity', { Effect: 'Allow', Action: action, Resource: '*' });
      expect(evaluatePolicy(p, request(requested)).effect).toBe(expected ? 'Allow' : 'NotApplicable');
    });

    it('NotAction applies the statement to every action except the listed ones', () => {
      const p = policy('identity', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' });
      expect(evaluatePolicy(p, request('ec2:CreateVpc')).effect).toBe('Allow');
      expect(evaluatePolicy(p, request('iam:CreateRole')).effect).toBe('NotApplicable');
      expect(evaluatePolicy(p, request('Organizations:LeaveOrganization')).effect).toBe('NotApplicable');
    });

    it('NotAction with Deny denies everything outside the list', () => {
      const p = policy('scp', { Effect: 'Deny', NotAction: 'sts:*', Resource: '*' });
      expect(evaluatePolicy(p, request('s3:GetObject')).effect).toBe('Deny');
      expect(evaluatePolicy(p, request('sts:AssumeRole')).effect).toBe('NotApplicable');
    });
  });

  describe('Resource and NotResource', () => {
    it.each<[string, string, string, boolean]>([
      ['"*" matches any resource', '*', `${BUCKET}/a`, true],
      ['"*" matches the "*" of an action without resource-level permissions', '*', '*', true],
      ['an ARN does not match the "*" of an action without resource-level permissions', `${BUCKET}/*`, '*', false],
      ['a wildcard in the resource part matches', `${BUCKET}/reports/*`, `${BUCKET}/reports/2026/q1.csv`, true],
      ['the resource part is case-sensitive', `${BUCKET}/Reports/*`, `${BUCKET}/reports/q1.csv`, false],
      [
        'partition, service, region and account match either case',
        'arn:aws:EC2:EU-WEST-1:111111111111:vpc/*',
        'arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-1',
        true,
      ],
      [
        'a wildcard matches within the region part',
        'arn:aws:ec2:eu-*:*:vpc/*',
        'arn:aws:ec2:eu-central-1:111111111111:vpc/vpc-1',
        true,
      ],
      [
        'a wildcard in the region part does not cross colons',
        'arn:aws:ec2:*:vpc/*',
        'arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-1',
        false,
      ],
      [
        'the resource part may contain colons',
        'arn:aws:logs:*:*:log-group:app:*',
        'arn:aws:logs:eu-west-1:111111111111:log-group:app:log-stream:s',
        true,
      ],
      [
        'a short ARN is padded with "*" parts in identity policies',
        'arn:aws:ec2',
        'arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-1',
        true,
      ],
      ['a resource that is not an ARN matches only "*"', 'arn:aws:s3:::*', 'my-bucket', false],
    ])('%s', (_, resource, requested, expected) => {
      const p = policy('identity', { Effect: 'Allow', Action: '*', Resource: resource });
      expect(evaluatePolicy(p, request('s3:GetObject', requested)).effect).toBe(expected ? 'Allow' : 'NotApplicable');
    });

    it('NotResource applies the statement to every resource except the listed ones', () => {
      const p = policy('identity', {
        Sid: 'ProtectAudit',
        Effect: 'Deny',
        Action: 's3:*',
        NotResource: ['arn:aws:s3:::audit', 'arn:aws:s3:::audit/*'],
      });
      expect(evaluatePolicy(p, request('s3:PutObject', `${BUCKET}/a`)).effect).toBe('Deny');
      expect(evaluatePolicy(p, request('s3:PutObject', 'arn:aws:s3:::audit/log')).effect).toBe('NotApplicable');
      expect(evaluatePolicy(p, request('s3:ListAllMyBuckets', '*')).effect).toBe('Deny');
    });

    it('substitutes policy variables in Resource', () => {
      const p = policy('identity', { Effect: 'Allow', Action: 's3:*', Resource: `${BUCKET}/home/\${aws:username}/*` });
      const alice = user('alice');
      expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/home/alice/x`, alice)).effect).toBe('Allow');
      expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/home/bob/x`, alice)).effect).toBe('NotApplicable');
      // a role session has no aws:username: the resource cannot match
      expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/home/alice/x`)).effect).toBe('NotApplicable');
    });

    it('substitutes a variable whose name has a colon inside an ARN part', () => {
      const p = policy('identity', {
        Effect: 'Allow',
        Action: 'iam:*',
        Resource: 'arn:aws:iam::${aws:PrincipalAccount}:role/${aws:PrincipalTag/team}-*',
      });
      const req = request('iam:PassRole', 'arn:aws:iam::111111111111:role/ops-runner', session('Dev'), {
        'aws:PrincipalTag/team': 'ops',
      });
      expect(evaluatePolicy(p, req).effect).toBe('Allow');
    });

    it('does not apply a NotResource statement whose variable cannot be resolved', () => {
      const p = policy('identity', { Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/\${aws:username}/*` });
      expect(evaluatePolicy(p, request('s3:GetObject', `${BUCKET}/x`)).effect).toBe('NotApplicable');
    });
  });

  describe('Principal and NotPrincipal (resource-based policies)', () => {
    const dev = session('Developer');
    const other = session('Developer', OTHER);
    const bus = 'arn:aws:events:eu-west-1:111111111111:event-bus/vendguard';
    const withPrincipal = (principal: unknown, not = false) =>
      policy('resource', {
        Effect: 'Allow',
        [not ? 'NotPrincipal' : 'Principal']: principal,
        Action: 'events:PutEvents',
        Resource: bus,
      });
    it.each<[string, unknown, AuthPrincipal, boolean]>([
      ['"*" matches everyone', '*', other, true],
      ['{"AWS": "*"} matches everyone', { AWS: '*' }, other, true],
      [
        'an account root ARN matches any principal of the account',
        { AWS: 'arn:aws:iam::111111111111:root' },
        dev,
        true,
      ],
      ['an account id matches any principal of the account', { AWS: '111111111111' }, user('alice'), true],
      ['an account does not match another account', { AWS: '111111111111' }, other, false],
      ['a role ARN matches the sessions of that role', { AWS: 'arn:aws:iam::111111111111:role/Developer' }, dev, true],
      ['a role ARN does not match another role', { AWS: 'arn:aws:iam::111111111111:role/Admin' }, dev, false],
      [
        'a session ARN matches that session',
        { AWS: 'arn:aws:sts::111111111111:assumed-role/Developer/session' },
        dev,
        true,
      ],
      [
        'a session ARN does not match another session',
        { AWS: 'arn:aws:sts::111111111111:assumed-role/Developer/other' },
        dev,
        false,
      ],
      ['a user ARN matches the user', { AWS: ['arn:aws:iam::111111111111:user/alice'] }, user('alice'), true],
      [
        'a Service principal matches the service',
        { Service: 'events.amazonaws.com' },
        service('events.amazonaws.com'),
        true,
      ],
      ['a Service principal does not match a role', { Service: 'events.amazonaws.com' }, dev, false],
      [
        'an account principal does not match a service',
        { AWS: '111111111111' },
        service('events.amazonaws.com'),
        false,
      ],
    ])('%s', (_, principal, caller, expected) => {
      const req = request('events:PutEvents', bus, caller);
      expect(evaluatePolicy(withPrincipal(principal), req).effect).toBe(expected ? 'Allow' : 'NotApplicable');
    });

    it('NotPrincipal applies the statement to everyone except the listed principals', () => {
      const p = withPrincipal({ AWS: 'arn:aws:iam::111111111111:role/Developer' }, true);
      expect(evaluatePolicy(p, request('events:PutEvents', bus, dev)).effect).toBe('NotApplicable');
      expect(evaluatePolicy(p, request('events:PutEvents', bus, root())).effect).toBe('Allow');
    });
  });
});
