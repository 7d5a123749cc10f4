// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are ${…} on purpose
import { evaluatePolicy, parsePolicy } from '../../../../sandbox/policy';
import type { AuthPrincipal, ContextValue } from '../../../../sandbox/policy/types';
import { request, session, user } from './helpers';

type Context = Record<string, ContextValue | undefined>;

/** Whether an Allow-everything statement with `condition` applies to a request with `context`. */
function holds(
  condition: object,
  context: Context,
  principal: AuthPrincipal = session('Developer'),
  version = '2012-10-17',
): boolean {
  const policy = parsePolicy(
    { Version: version, Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition } },
    'identity',
    { kind: 'identity', name: 'spec' },
  );
  return evaluatePolicy(policy, request('s3:GetObject', '*', principal, context)).effect === 'Allow';
}

const region = (r: string | undefined): Context => ({ 'aws:RequestedRegion': r });
const tags = (...keys: string[]): Context => ({ 'aws:TagKeys': keys });

describe('Condition element', () => {
  describe('string operators', () => {
    it.each<[string, object, Context, boolean]>([
      [
        'StringEquals matches the exact value',
        { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        region('eu-west-1'),
        true,
      ],
      [
        'StringEquals is case-sensitive',
        { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        region('EU-WEST-1'),
        false,
      ],
      [
        'StringEquals ORs the values of one key',
        { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
        region('eu-west-1'),
        true,
      ],
      [
        'StringEquals ANDs its keys',
        { StringEquals: { 'aws:RequestedRegion': 'eu-west-1', 'aws:PrincipalAccount': '999999999999' } },
        region('eu-west-1'),
        false,
      ],
      [
        'separate operators are ANDed',
        {
          StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
          StringLike: { 'aws:PrincipalArn': '*:role/Developer' },
        },
        region('eu-west-1'),
        true,
      ],
      [
        'StringEquals is false when the key is absent',
        { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        {},
        false,
      ],
      [
        'StringNotEquals holds for another value',
        { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        region('us-east-1'),
        true,
      ],
      [
        'StringNotEquals fails for a listed value',
        { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
        region('eu-west-1'),
        false,
      ],
      [
        'StringNotEquals holds when the key is absent',
        { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        {},
        true,
      ],
      [
        'StringEqualsIgnoreCase ignores case',
        { StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'EU-West-1' } },
        region('eu-west-1'),
        true,
      ],
      [
        'StringNotEqualsIgnoreCase ignores case',
        { StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'EU-WEST-1' } },
        region('eu-west-1'),
        false,
      ],
      [
        'StringLike matches * across characters',
        { StringLike: { 's3:prefix': 'marketing/*' } },
        { 's3:prefix': 'marketing/q1/plan' },
        true,
      ],
      [
        'StringLike matches ? as one character',
        { StringLike: { 's3:prefix': 'log-20??' } },
        { 's3:prefix': 'log-2026' },
        true,
      ],
      [
        'StringLike ? does not match two characters',
        { StringLike: { 's3:prefix': 'log-20?' } },
        { 's3:prefix': 'log-2026' },
        false,
      ],
      [
        'StringLike is case-sensitive',
        { StringLike: { 's3:prefix': 'Marketing/*' } },
        { 's3:prefix': 'marketing/x' },
        false,
      ],
      ['StringNotLike holds when the key is absent', { StringNotLike: { 's3:prefix': 'secret/*' } }, {}, true],
      [
        'StringNotLike fails on a match',
        { StringNotLike: { 's3:prefix': 'secret/*' } },
        { 's3:prefix': 'secret/x' },
        false,
      ],
      [
        'condition keys are case-insensitive',
        { StringEquals: { 'AWS:REQUESTEDREGION': 'eu-west-1' } },
        region('eu-west-1'),
        true,
      ],
      [
        'tag keys in condition keys are case-insensitive',
        { StringEquals: { 'aws:ResourceTag/Owner': 'alice' } },
        { 'aws:resourcetag/owner': 'alice' },
        true,
      ],
      [
        'operator names are case-insensitive',
        { stringequals: { 'aws:RequestedRegion': 'eu-west-1' } },
        region('eu-west-1'),
        true,
      ],
    ])('%s', (_, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('…IfExists and Null', () => {
    it.each<[string, object, Context, boolean]>([
      [
        'StringEqualsIfExists holds when the key is absent',
        { StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } },
        {},
        true,
      ],
      [
        'StringEqualsIfExists checks a present key',
        { StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } },
        { 'ec2:InstanceType': 'm5.large' },
        false,
      ],
      [
        'ArnLikeIfExists holds when the key is absent',
        { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:x' } },
        {},
        true,
      ],
      ['Null "true" holds when the key is absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
      [
        'Null "true" fails when the key is present',
        { Null: { 'aws:TokenIssueTime': 'true' } },
        { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
        false,
      ],
      [
        'Null "false" holds when the key is present',
        { Null: { 'aws:TokenIssueTime': 'false' } },
        { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
        true,
      ],
      ['Null reads an empty multivalued key as absent', { Null: { 'aws:TagKeys': 'true' } }, tags(), true],
    ])('%s', (_, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('Bool, Numeric, Date, IP address and Binary operators', () => {
    it.each<[string, object, Context, boolean]>([
      [
        'Bool matches a boolean context value',
        { Bool: { 'aws:SecureTransport': 'true' } },
        { 'aws:SecureTransport': true },
        true,
      ],
      [
        'Bool "false" matches false',
        { Bool: { 'aws:SecureTransport': 'false' } },
        { 'aws:SecureTransport': false },
        true,
      ],
      [
        'Bool accepts a JSON boolean in the policy',
        { Bool: { 'aws:MultiFactorAuthPresent': true } },
        { 'aws:MultiFactorAuthPresent': 'true' },
        true,
      ],
      [
        'Bool fails on the other value',
        { Bool: { 'aws:SecureTransport': 'true' } },
        { 'aws:SecureTransport': false },
        false,
      ],
      [
        'BoolIfExists holds when the key is absent',
        { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        {},
        true,
      ],
      [
        'NumericLessThan compares numbers, not strings',
        { NumericLessThan: { 's3:max-keys': '10' } },
        { 's3:max-keys': '9' },
        true,
      ],
      [
        'NumericLessThanEquals includes the bound',
        { NumericLessThanEquals: { 's3:max-keys': 10 } },
        { 's3:max-keys': '10' },
        true,
      ],
      [
        'NumericGreaterThan excludes the bound',
        { NumericGreaterThan: { 's3:max-keys': '10' } },
        { 's3:max-keys': '10' },
        false,
      ],
      [
        'NumericGreaterThanEquals includes the bound',
        { NumericGreaterThanEquals: { 's3:max-keys': '10' } },
        { 's3:max-keys': '10.0' },
        true,
      ],
      [
        'NumericEquals fails on a value that is not a number',
        { NumericEquals: { 's3:max-keys': '10' } },
        { 's3:max-keys': 'ten' },
        false,
      ],
      ['NumericNotEquals holds when the key is absent', { NumericNotEquals: { 's3:max-keys': '10' } }, {}, true],
      [
        'DateGreaterThan compares ISO 8601 times',
        { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2026-06-01T12:00:00Z' },
        true,
      ],
      [
        'DateLessThan compares epoch seconds with ISO 8601',
        { DateLessThan: { 'aws:EpochTime': '1767225600' } },
        { 'aws:EpochTime': '2025-12-31T23:59:59Z' },
        true,
      ],
      [
        'DateEquals matches the same instant',
        { DateEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2026-01-01T01:00:00+01:00' },
        true,
      ],
      [
        'DateNotEquals holds when the key is absent',
        { DateNotEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
        {},
        true,
      ],
      [
        'IpAddress matches inside a CIDR',
        { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        { 'aws:SourceIp': '203.0.113.7' },
        true,
      ],
      [
        'IpAddress fails outside a CIDR',
        { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        { 'aws:SourceIp': '203.0.114.7' },
        false,
      ],
      [
        'IpAddress matches a bare address exactly',
        { IpAddress: { 'aws:SourceIp': '198.51.100.1' } },
        { 'aws:SourceIp': '198.51.100.1' },
        true,
      ],
      [
        'IpAddress matches IPv6 ranges',
        { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
        { 'aws:SourceIp': '2001:db8:1::5' },
        true,
      ],
      [
        'IpAddress does not mix IPv4 and IPv6',
        { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
        { 'aws:SourceIp': '2001:db8::1' },
        false,
      ],
      [
        'NotIpAddress fails inside the range',
        { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] } },
        { 'aws:SourceIp': '10.1.2.3' },
        false,
      ],
      ['NotIpAddress holds when the key is absent', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true],
      [
        'BinaryEquals compares the base64 text',
        { BinaryEquals: { 'custom:blob': 'QmluYXJ5' } },
        { 'custom:blob': 'QmluYXJ5' },
        true,
      ],
    ])('%s', (_, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('ARN operators', () => {
    const src = (arn: string): Context => ({ 'aws:SourceArn': arn });
    it.each<[string, object, Context, boolean]>([
      [
        'ArnLike matches part by part with wildcards',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111111111111:alerts-*' } },
        src('arn:aws:sns:eu-west-1:111111111111:alerts-prod'),
        true,
      ],
      [
        'ArnEquals takes wildcards like ArnLike',
        { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:111111111111:alerts-?' } },
        src('arn:aws:sns:eu-west-1:111111111111:alerts-1'),
        true,
      ],
      [
        'ArnLike is case-sensitive',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:Alerts' } },
        src('arn:aws:sns:eu-west-1:111111111111:alerts'),
        false,
      ],
      [
        'a wildcard never crosses a colon in the first five parts',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:alerts' } },
        src('arn:aws:sns:eu-west-1:extra:111111111111:alerts'),
        false,
      ],
      [
        'the resource part may contain colons',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:app:*' } },
        src('arn:aws:logs:eu-west-1:111111111111:log-group:app:log-stream:x'),
        true,
      ],
      ['ArnLike fails on a value that is not an ARN', { ArnLike: { 'aws:SourceArn': '*' } }, src('not-an-arn'), false],
      ['ArnNotLike holds when the key is absent', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, {}, true],
      [
        'ArnNotEquals fails on a match',
        { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:x' } },
        src('arn:aws:sns:us-east-1:1:x'),
        false,
      ],
    ])('%s', (_, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('set operators on multivalued keys', () => {
    it.each<[string, object, Context, boolean]>([
      [
        'ForAnyValue holds when one request value matches',
        { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } },
        tags('owner', 'cost'),
        true,
      ],
      [
        'ForAnyValue fails when none matches',
        { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } },
        tags('owner'),
        false,
      ],
      ['ForAnyValue fails when the key is absent', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } }, {}, false],
      [
        'ForAnyValue fails when the key is an empty set',
        { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } },
        tags(),
        false,
      ],
      [
        'ForAllValues holds when every request value is allowed',
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner', 'cost'] } },
        tags('env', 'owner'),
        true,
      ],
      [
        'ForAllValues fails when one request value is not',
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } },
        tags('env', 'secret'),
        false,
      ],
      [
        'ForAllValues holds when the key is absent',
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'env' } },
        {},
        true,
      ],
      [
        'ForAllValues holds when the key is an empty set',
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'env' } },
        tags(),
        true,
      ],
      [
        'ForAllValues:StringLike applies wildcards to each value',
        { 'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' } },
        tags('team-a', 'team-b'),
        true,
      ],
      [
        'ForAnyValue:StringNotEquals holds when one value is outside the list',
        { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env'] } },
        tags('env', 'x'),
        true,
      ],
      [
        'ForAllValues:StringNotEquals fails when one value is in the list',
        { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } },
        tags('env', 'secret'),
        false,
      ],
      [
        'ForAnyValue treats a single-valued key as a set of one',
        { 'ForAnyValue:StringEquals': { 'aws:RequestedRegion': 'eu-west-1' } },
        region('eu-west-1'),
        true,
      ],
      [
        'ForAllValuesIfExists holds when absent',
        { 'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': 'env' } },
        {},
        true,
      ],
      [
        'an operator without a set qualifier does not match a multivalued value',
        { StringEquals: { 'aws:TagKeys': 'env' } },
        tags('env'),
        false,
      ],
    ])('%s', (_, condition, context, expected) => {
      expect(holds(condition, context)).toBe(expected);
    });
  });

  describe('policy variables', () => {
    const alice = user('alice');
    it('substitutes a context value into a condition value', () => {
      const condition = { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } };
      expect(holds(condition, { 'aws:ResourceTag/owner': 'alice', 'aws:username': 'alice' }, alice)).toBe(true);
      expect(holds(condition, { 'aws:ResourceTag/owner': 'bob', 'aws:username': 'alice' }, alice)).toBe(false);
    });

    it('derives aws:username, aws:PrincipalAccount and aws:PrincipalArn from the principal when the context lacks them', () => {
      expect(
        holds(
          { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
          { 'aws:ResourceTag/owner': 'alice' },
          alice,
        ),
      ).toBe(true);
      expect(holds({ StringEquals: { 'aws:PrincipalAccount': '111111111111' } }, {})).toBe(true);
      expect(holds({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/Developer' } }, {})).toBe(true);
    });

    it('makes the condition false when a variable cannot be resolved, even a negated one', () => {
      const ctx = { 'aws:ResourceTag/owner': 'alice' };
      expect(holds({ StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/team}' } }, ctx)).toBe(false);
      expect(holds({ StringNotEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/team}' } }, ctx)).toBe(false);
    });

    it("uses the default value of ${key, 'default'} when the key is absent", () => {
      const condition = { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'none'}" } };
      expect(holds(condition, { 'aws:ResourceTag/team': 'none' })).toBe(true);
      expect(holds(condition, { 'aws:ResourceTag/team': 'ops', 'aws:PrincipalTag/team': 'ops' })).toBe(true);
    });

    it('treats a substituted value as literal text in StringLike', () => {
      const condition = { StringLike: { 's3:prefix': 'home/${aws:username}/*' } };
      expect(holds(condition, { 's3:prefix': 'home/alice/docs', 'aws:username': 'alice' })).toBe(true);
      expect(holds(condition, { 's3:prefix': 'home/alice/docs', 'aws:username': '*' })).toBe(false);
    });

    it('reads ${*}, ${?} and ${$} as the literal characters', () => {
      const condition = { StringLike: { 's3:prefix': 'a${*}b${?}c${$}' } };
      expect(holds(condition, { 's3:prefix': 'a*b?c$' })).toBe(true);
      expect(holds(condition, { 's3:prefix': 'axbyc$' })).toBe(false);
    });

    it('does not substitute a multivalued key', () => {
      expect(
        holds({ StringEquals: { 'aws:RequestedRegion': '${aws:TagKeys}' } }, { ...region('a'), ...tags('a') }),
      ).toBe(false);
    });

    it('leaves ${…} as text in a 2008-10-17 policy', () => {
      const condition = { StringEquals: { 's3:prefix': '${aws:username}' } };
      expect(holds(condition, { 's3:prefix': '${aws:username}', 'aws:username': 'alice' }, alice, '2008-10-17')).toBe(
        true,
      );
    });
  });
});
