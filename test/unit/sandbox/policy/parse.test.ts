import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedPolicyError, parsePolicy } from '../../../../sandbox/policy';
import type { PolicyKind } from '../../../../sandbox/policy/types';

const SCP_DIR = join(__dirname, '../../../../config/scps');
const src = (kind: PolicyKind) => ({ kind, name: 'spec' });
const allow = { Effect: 'Allow', Action: '*', Resource: '*' };
const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

function messageOf(document: string | object, kind: PolicyKind): string {
  try {
    parsePolicy(document, kind, src(kind));
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedPolicyError);
    return (err as Error).message;
  }
  throw new Error('the document was accepted');
}

describe('parsePolicy', () => {
  it.each(readdirSync(SCP_DIR).filter((f) => f.endsWith('.json')))('parses the project SCP %s', (file) => {
    const policy = parsePolicy(readFileSync(join(SCP_DIR, file), 'utf8'), 'scp', src('scp'));
    expect(policy.version).toBe('2012-10-17');
    expect(policy.statements.length).toBeGreaterThan(0);
    expect(policy.denies.length + policy.allows.length).toBe(policy.statements.length);
  });

  it('accepts the full IAM language in SCPs (Condition, NotAction, NotResource and mid-string wildcards in Allow)', () => {
    const scp = doc(
      { Sid: 'AllowEu', Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' },
      {
        Effect: 'Allow',
        Action: 'ec2:*Vpc*',
        Resource: 'arn:aws:ec2:*:*:vpc/*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      },
    );
    expect(parsePolicy(scp, 'scp', src('scp')).allows).toHaveLength(2);
  });

  it('accepts a single statement object, no Version, an Id, an empty Condition and JSON scalars as values', () => {
    const policy = parsePolicy(
      {
        Id: 'x',
        Statement: {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': true }, NumericLessThan: { 's3:max-keys': 10 } },
        },
      },
      'identity',
      src('identity'),
    );
    expect(policy.version).toBe('2008-10-17');
    expect(policy.statements[0]!.conditions).toHaveLength(2);
    expect(parsePolicy(doc({ ...allow, Condition: {} }), 'identity', src('identity')).statements).toHaveLength(1);
  });

  it('accepts resource and trust policies with principals', () => {
    const resource = doc({
      Effect: 'Allow',
      Principal: { AWS: ['111111111111', 'arn:aws:iam::222222222222:root'], Service: 'events.amazonaws.com' },
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/vendguard',
    });
    expect(parsePolicy(resource, 'resource', src('resource')).allows).toHaveLength(1);
    const trust = doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' });
    expect(parsePolicy(trust, 'trust', src('trust')).statements[0]!.resource).toBeUndefined();
  });

  it.each<[string, string | object, PolicyKind, string]>([
    ['text that is not JSON', '{"Statement": [', 'identity', 'Syntax errors in policy.'],
    ['a JSON array', '[]', 'identity', 'Syntax errors in policy.'],
    ['an unknown top-level field', { Statement: allow, Statment: [] }, 'identity', 'unknown field "Statment"'],
    ['an unknown Version', { Version: '2013-01-01', Statement: allow }, 'scp', 'The policy version "2013-01-01"'],
    ['no Statement', { Version: '2012-10-17' }, 'identity', 'Missing required field Statement.'],
    ['an empty Statement array', doc(), 'scp', 'Statement must contain at least one statement.'],
    ['a statement that is not an object', doc('Allow'), 'identity', 'Statement 1: a statement must be a JSON object'],
    [
      'a statement without Effect',
      doc({ Action: '*', Resource: '*' }),
      'identity',
      'Statement 1: missing required field Effect',
    ],
    [
      'a lower-case Effect',
      doc({ ...allow, Effect: 'allow' }),
      'scp',
      'Statement 1: Effect "allow" must be Allow or Deny',
    ],
    [
      'no Action or NotAction',
      doc({ Effect: 'Allow', Resource: '*' }),
      'identity',
      'Statement 1: a statement must have Action or NotAction',
    ],
    [
      'both Action and NotAction',
      doc({ ...allow, NotAction: 's3:*' }),
      'identity',
      'cannot have both Action and NotAction',
    ],
    [
      'an action without a service prefix',
      doc(allow, { Sid: 'DenyIgw', Effect: 'Deny', Action: 'ec2CreateVpc', Resource: '*' }),
      'scp',
      'Statement 2 (Sid DenyIgw): Action "ec2CreateVpc" is not a valid action',
    ],
    [
      'an empty Action array',
      doc({ ...allow, Action: [] }),
      'identity',
      'Statement 1: Action must be a non-empty string',
    ],
    ['a numeric Action', doc({ ...allow, Action: 42 }), 'identity', 'Statement 1: Action must be a non-empty string'],
    [
      'an identity statement without Resource',
      doc({ Effect: 'Allow', Action: '*' }),
      'identity',
      'Statement 1: a statement must have Resource or NotResource',
    ],
    [
      'an SCP statement without Resource',
      doc({ Effect: 'Deny', Action: '*' }),
      'scp',
      'Statement 1: a statement must have Resource or NotResource',
    ],
    [
      'a resource policy statement without Resource',
      doc({ Effect: 'Allow', Principal: '*', Action: '*' }),
      'resource',
      'Statement 1: a statement must have Resource or NotResource',
    ],
    [
      'a Resource that is not an ARN',
      doc({ ...allow, Resource: 'my-bucket' }),
      'identity',
      'Resource "my-bucket" must be in ARN format or "*"',
    ],
    [
      'a short SCP ARN without a trailing wildcard',
      doc({ ...allow, Resource: 'arn:aws:s3' }),
      'scp',
      'Resource "arn:aws:s3" is not a complete ARN',
    ],
    [
      'a Principal in an identity policy',
      doc({ ...allow, Principal: '*' }),
      'identity',
      'Statement 1: Policy document should not specify a principal',
    ],
    [
      'a NotPrincipal in an SCP',
      doc({ ...allow, NotPrincipal: { AWS: '111111111111' } }),
      'scp',
      'Policy document should not specify a principal (NotPrincipal in an SCP)',
    ],
    [
      'a trust statement without Principal',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'trust',
      'Statement 1: missing required field Principal',
    ],
    [
      'a trust statement with Resource',
      doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }),
      'trust',
      'Statement 1: Has prohibited field Resource',
    ],
    [
      'an AWS principal that is neither an account nor an ARN',
      doc({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'sts:AssumeRole' }),
      'trust',
      'Invalid principal in policy: "AWS":"bob"',
    ],
    [
      'a wildcard inside an AWS principal ARN',
      doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/*' }, Action: 'sts:AssumeRole' }),
      'trust',
      'Invalid principal in policy',
    ],
    [
      'an unknown principal type',
      doc({ Effect: 'Allow', Principal: { User: 'x' }, Action: 'sts:AssumeRole' }),
      'trust',
      'Principal type "User" is not one of AWS, Service, Federated, CanonicalUser',
    ],
    [
      'a Principal string other than *',
      doc({ Effect: 'Allow', Principal: 'everyone', Action: 'sts:AssumeRole' }),
      'trust',
      'Principal must be "*" or an object',
    ],
    [
      'an unknown condition operator',
      doc({ ...allow, Condition: { StringEqualz: { 'aws:username': 'a' } } }),
      'identity',
      'Statement 1: Condition operator "StringEqualz" is not valid',
    ],
    [
      'NullIfExists',
      doc({ ...allow, Condition: { NullIfExists: { 'aws:username': 'true' } } }),
      'identity',
      'Condition operator "NullIfExists" is not valid',
    ],
    [
      'a set qualifier on Null',
      doc({ ...allow, Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } }),
      'identity',
      'Condition operator "ForAnyValue:Null" is not valid',
    ],
    [
      'a Condition that is an array',
      doc({ ...allow, Condition: [] }),
      'identity',
      'Statement 1: Condition must be an object',
    ],
    [
      'an operator block that is not an object',
      doc({ ...allow, Condition: { StringEquals: 'x' } }),
      'identity',
      'Condition StringEquals must be an object',
    ],
    [
      'a condition value that is an object',
      doc({ ...allow, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }),
      'identity',
      'values must be strings, numbers or booleans',
    ],
    [
      'a Null value other than true or false',
      doc({ ...allow, Condition: { Null: { 'aws:username': 'maybe' } } }),
      'identity',
      'Condition Null aws:username must be "true" or "false"',
    ],
    [
      'an unknown statement field',
      doc({ Effect: 'Allow', Actions: '*', Action: '*', Resource: '*' }),
      'scp',
      'Statement 1: unknown field "Actions"',
    ],
    ['a Sid that is not a string', doc({ ...allow, Sid: 7 }), 'identity', 'Statement 1: Sid must be a string'],
    [
      'a non-alphanumeric Sid in an IAM policy',
      doc({ ...allow, Sid: 'deny-igw' }),
      'identity',
      'Statement 1 (Sid deny-igw): Statement IDs (SID) must be alpha-numeric',
    ],
    [
      'duplicate Sids',
      doc({ ...allow, Sid: 'Same' }, { ...allow, Sid: 'Same' }),
      'scp',
      'Statement 2 (Sid Same): Statement IDs (SID) in a single policy must be unique',
    ],
  ])('rejects %s', (_, document, kind, message) => {
    expect(messageOf(document, kind)).toContain(message);
  });

  it('names the statement and Sid on the error itself', () => {
    try {
      parsePolicy(
        doc(allow, { Sid: 'DenyIgw', Effect: 'Deny', Action: 'ec2CreateVpc', Resource: '*' }),
        'scp',
        src('scp'),
      );
      throw new Error('accepted');
    } catch (err) {
      expect(err).toMatchObject({ name: 'MalformedPolicyError', kind: 'scp', statement: 2, sid: 'DenyIgw' });
    }
  });

  it('keeps the cause of a JSON syntax error', () => {
    let caught: unknown;
    try {
      parsePolicy('{', 'identity', src('identity'));
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('compiles the same document text of the same kind once', () => {
    const text = JSON.stringify(doc({ ...allow, Sid: 'Cached' }));
    const a = parsePolicy(text, 'identity', { kind: 'identity', name: 'a' });
    const b = parsePolicy(text, 'identity', { kind: 'identity', name: 'b' });
    expect(b.statements).toBe(a.statements);
    expect(b.source.name).toBe('b');
  });

  it('validates the same text separately per kind', () => {
    const text = JSON.stringify(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
    expect(parsePolicy(text, 'identity', src('identity')).allows).toHaveLength(1);
    expect(messageOf(text, 'trust')).toContain('Has prohibited field Resource');
  });

  it('bounds the cache, evicting the least recently used document', () => {
    const first = JSON.stringify(doc({ ...allow, Sid: 'First' }));
    const kept = JSON.stringify(doc({ ...allow, Sid: 'Kept' }));
    const a = parsePolicy(first, 'identity', src('identity'));
    const k = parsePolicy(kept, 'identity', src('identity'));
    for (let i = 0; i < 2100; i++) {
      if (i % 100 === 0) parsePolicy(kept, 'identity', src('identity'));
      parsePolicy(doc({ ...allow, Sid: `Filler${i}` }), 'identity', src('identity'));
    }
    expect(parsePolicy(first, 'identity', src('identity')).statements).not.toBe(a.statements);
    expect(parsePolicy(kept, 'identity', src('identity')).statements).toBe(k.statements);
  });
});
