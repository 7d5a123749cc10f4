import { cloudTrailEntry, isReadOnlyByName, toTrailShape } from '../../../../sandbox/core/cloudtrail';
import { assumedRolePrincipal } from '../../../../sandbox/core/identity';
import type { RequestContext, SandboxRuntime } from '../../../../sandbox/core/types';
import { AwsServiceError } from '../../../../sandbox/core/types';

const principal = { ...assumedRolePrincipal('222233334444', 'Developer', 'jane.doe'), accessKeyId: 'ASIAEXAMPLE' };
const ctx = (service: string, operation: string): RequestContext => ({
  service,
  operation,
  region: 'eu-west-1',
  principal,
  requestId: 'req-1',
  sourceIp: '127.0.0.1',
  userAgent: 'jest',
  runtime: {} as SandboxRuntime,
});

describe('CloudTrail shaping', () => {
  it('shapes EC2 parameters as CloudTrail does: lower camel, items lists, numeric ports, _return', () => {
    const entry = cloudTrailEntry({
      ctx: ctx('ec2', 'AuthorizeSecurityGroupIngress'),
      protocol: 'ec2Query',
      eventSource: 'ec2.amazonaws.com',
      input: {
        GroupId: 'sg-1',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
      result: { return: true },
      eventTime: new Date('2026-11-26T10:00:00.123Z'),
    });
    expect(entry.source).toBe('aws.ec2');
    expect(entry.detail.eventTime).toBe('2026-11-26T10:00:00Z');
    expect(entry.detail.requestParameters).toEqual({
      groupId: 'sg-1',
      ipPermissions: {
        items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
      },
    });
    expect(entry.detail.responseElements).toEqual({ requestId: 'req-1', _return: true });
    expect(entry.detail.userIdentity).toMatchObject({
      type: 'AssumedRole',
      principalId: expect.stringMatching(/^AROA[A-Z2-7]{17}:jane\.doe$/),
      sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::222233334444:role/Developer', userName: 'Developer' } },
    });
    expect(entry.account).toBe('222233334444');
  });

  it('puts Organizations events in us-east-1 and records errors', () => {
    const entry = cloudTrailEntry({
      ctx: ctx('organizations', 'MoveAccount'),
      protocol: 'awsJson1_1',
      eventSource: 'organizations.amazonaws.com',
      input: { AccountId: '1', SourceParentId: 'r-1', DestinationParentId: 'ou-1' },
      error: new AwsServiceError('DuplicateAccountException', 'already there'),
      eventTime: new Date(),
    });
    expect(entry.region).toBe('us-east-1');
    expect(entry.detail).toMatchObject({
      awsRegion: 'us-east-1',
      errorCode: 'DuplicateAccountException',
      errorMessage: 'already there',
      responseElements: null,
      requestParameters: { accountId: '1', sourceParentId: 'r-1', destinationParentId: 'ou-1' },
    });
  });

  it('keeps JSON-protocol lists as arrays', () => {
    expect(toTrailShape({ Tags: [{ Key: 'a' }] }, 'awsJson1_1')).toEqual({ tags: [{ key: 'a' }] });
  });

  it('treats Describe/List/Get/Test operations as read-only', () => {
    expect(isReadOnlyByName('DescribeVpcs')).toBe(true);
    expect(isReadOnlyByName('CreateVpc')).toBe(false);
  });
});
