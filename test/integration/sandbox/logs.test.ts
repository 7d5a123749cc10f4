/**
 * CloudWatch Logs through SDK v3 (awsJson1_1, Logs_20140328): log groups with retention and tags,
 * streams and events, per account and region.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

let sb: TestSandbox;
let logs: CloudWatchLogsClient;
let account: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  logs = sb.client(CloudWatchLogsClient);
  account = sb.runtime.managementAccountId;
}, 30_000);
afterAll(() => sb?.stop());

it('creates, describes, retains, tags and deletes a log group', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/it/app', tags: { team: 'platform' } }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/it/app', retentionInDays: 14 }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/it/' }));
  expect(logGroups).toEqual([
    expect.objectContaining({
      logGroupName: '/it/app',
      retentionInDays: 14,
      storedBytes: 0,
      arn: `arn:aws:logs:eu-west-1:${account}:log-group:/it/app:*`,
      logGroupArn: `arn:aws:logs:eu-west-1:${account}:log-group:/it/app`,
    }),
  ]);
  const { tags } = await logs.send(
    new ListTagsForResourceCommand({ resourceArn: `arn:aws:logs:eu-west-1:${account}:log-group:/it/app` }),
  );
  expect(tags).toEqual({ team: 'platform' });
  await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/it/app' }))).rejects.toBeInstanceOf(
    ResourceAlreadyExistsException,
  );
  await expect(
    logs.send(new PutRetentionPolicyCommand({ logGroupName: '/it/app', retentionInDays: 2 })),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  await logs.send(new DeleteLogGroupCommand({ logGroupName: '/it/app' }));
  await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: '/it/app' }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
});

it('keeps a member account’s log groups to itself', async () => {
  const member = sb.client(CloudWatchLogsClient, { accountId: sb.accountId('egress'), role: 'Developer' });
  await member.send(new CreateLogGroupCommand({ logGroupName: '/it/member' }));
  expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/it/member' }))).logGroups).toEqual([]);
  expect(
    (await member.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/it/member' }))).logGroups,
  ).toHaveLength(1);
});

it('stores events in a stream and reads them back', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/it/events' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: '/it/events', logStreamName: 's' }));
  const now = sb.runtime.clock.nowMs();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: '/it/events',
      logStreamName: 's',
      logEvents: [
        { timestamp: now - 1, message: 'first' },
        { timestamp: now, message: 'second' },
      ],
    }),
  );
  const { events } = await logs.send(
    new GetLogEventsCommand({ logGroupName: '/it/events', logStreamName: 's', startFromHead: true }),
  );
  expect(events?.map((e) => e.message)).toEqual(['first', 'second']);
});
