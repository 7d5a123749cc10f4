import { blockKitProblems, type SlackMessage } from '../../../../../functions/shared/notify/blockkit';
import type { Notification } from '../../../../../functions/shared/notify/notification';
import { renderPlainText } from '../../../../../functions/shared/notify/plain-text';
import { formatDuration, render, renderFinding } from '../../../../../functions/shared/notify/render';
import { SLACK_EXAMPLES } from '../../../../../scripts/slack-examples';

const example = <K extends Notification['kind']>(kind: K, index = 0) =>
  SLACK_EXAMPLES.filter((e) => e.notification.kind === kind)[index]?.notification as Extract<Notification, { kind: K }>;

const text = (msg: SlackMessage) => renderPlainText(msg.blocks);

describe('render', () => {
  it.each(SLACK_EXAMPLES.map((e) => [e.title, e.notification] as const))('renders valid Block Kit: %s', (_t, n) => {
    const msg = render(n, '#chan');
    expect(blockKitProblems(msg)).toEqual([]);
    expect(msg.channel).toBe('#chan');
    expect(msg.text.length).toBeGreaterThan(0);
  });

  it('shows a finding with severity, rule, summary, actor, account, region, resource, action, outcome and event', () => {
    const { finding } = example('finding', 1);
    const msg = renderFinding(finding);
    const out = text(msg);
    expect(out.split('\n')[0]).toBe('🔴 HIGH · igw-attached · remediated');
    expect(out).toContain(finding.summary);
    expect(out).toContain(`Actor: ${finding.actor}`);
    expect(out).toContain('Account: payments-dev (482913570264)');
    expect(out).toContain('Region: eu-west-1');
    expect(out).toContain('Resource: igw-0c4d5e6f7a8b9c0d1 (AWS::EC2::InternetGateway) in vpc-0a1b2c3d4e5f60718');
    expect(out).toContain(`Action taken: ${finding.action}`);
    expect(out).toContain('Outcome: ✅ remediated');
    expect(out).toContain(`CloudTrail event: AttachInternetGateway ${finding.eventId}`);
    expect(out).toContain(`Event time: ${finding.eventTime}`);
    expect(msg.text).toBe(`🔴 HIGH igw-attached: ${finding.summary} — remediated`);
  });

  it('links a finding to the VPC console and to the CloudTrail event', () => {
    const { finding } = example('finding', 1);
    const urls = renderFinding(finding).blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => e.url) : [],
    );
    expect(urls).toEqual([
      'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#InternetGateway:internetGatewayId=igw-0c4d5e6f7a8b9c0d1',
      'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#VpcDetails:VpcId=vpc-0a1b2c3d4e5f60718',
      `https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${finding.eventId}`,
    ]);
  });

  it('makes a critical finding look critical', () => {
    const { finding } = example('finding', 4);
    expect(renderFinding(finding).blocks[0]).toMatchObject({
      type: 'header',
      text: { text: expect.stringMatching(/^🚨 CRITICAL/) },
    });
  });

  it('escapes mrkdwn control characters from event data', () => {
    const { finding } = example('finding', 1);
    const msg = renderFinding({ ...finding, summary: '<!channel> & <http://evil|click>' });
    expect(JSON.stringify(msg)).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(msg.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(msg)).not.toContain('<!channel>');
  });

  it('shows a vended account with id, name, OU, owner, baselines and duration', () => {
    const n = example('vended');
    const out = text(render(n));
    expect(out).toContain('✅ Account vended: payments-dev');
    expect(out).toContain('Account id: 482913570264');
    expect(out).toContain('OU: Workloads/Dev (ou-ab12-cd34ef56)');
    expect(out).toContain('Owner: team-payments');
    expect(out).toContain('Baselines: vendguard-baseline-security, vendguard-baseline-network');
    expect(out).toContain('Duration: 7m 12s');
  });

  it('shows a failed vending with the step, account, region, stack set, error, cause and the redrive command in a code block', () => {
    const n = example('vending-failed');
    const msg = render(n);
    const out = text(msg);
    expect(out).toContain('Failed step: DeployBaseline');
    expect(out).toContain('Account: payments-dev (482913570264)');
    expect(out).toContain('Region: eu-west-1');
    expect(out).toContain('Stack set: vendguard-baseline-network');
    expect(out).toContain('Error: StackSetOperationFailedError');
    expect(out).toContain('OperationInProgressException');
    expect(JSON.stringify(msg)).toContain('```vendguard replay req-5f3a9c0e1b7d4a26 --mode redrive --wait```');
  });

  it('cuts a huge cause but keeps the redrive command intact', () => {
    const n = example('vending-failed');
    const msg = render({ ...n, failure: { ...n.failure, cause: 'c'.repeat(50_000) } });
    expect(blockKitProblems(msg)).toEqual([]);
    expect(JSON.stringify(msg)).toContain('```vendguard replay req-5f3a9c0e1b7d4a26 --mode redrive --wait```');
  });
});

describe('render a rejected account request', () => {
  it('titles it with the name and lists who sent it, what was read and every field with its reason', () => {
    const n = example('request-rejected');
    const msg = render(n);
    const out = text(msg);
    expect(out.split('\n')[0]).toBe('🚫 Account request rejected: payments-prod');
    expect(out).toContain('Request: req-payments-prod-0002');
    expect(out).toContain('Email: aws-payments-prod@acme');
    expect(out).toContain('Sent from account: 100000000001');
    expect(out).toContain(`Request event: ${n.rejection.requestEventId}`);
    expect(out).toContain('• email: must be an email address');
    expect(out).toContain('• ou: must be an OU path like Workloads/Prod');
    expect(out).toContain('• environment: must be one of prod, staging, dev, sandbox');
    expect(out).toContain('• (the request): Unrecognized key: "team"');
    expect(out).toContain('4 problems to fix');
    expect(msg.text).toMatch(/^🚫 Account request rejected: payments-prod — email: must be an email address; ou: /);
  });

  it('falls back to the request id, then the email, when the name is unreadable', () => {
    const { rejection } = example('request-rejected');
    const { name: _n, ...noName } = rejection;
    expect(text(render({ kind: 'request-rejected', rejection: noName })).split('\n')[0]).toBe(
      '🚫 Account request rejected: req-payments-prod-0002',
    );
    const bare = { sourceAccount: '100000000001', requestEventId: 'e', issues: [{ path: '', message: 'bad' }] };
    const out = text(render({ kind: 'request-rejected', rejection: bare }));
    expect(out.split('\n')[0]).toBe('🚫 Account request rejected: unreadable request');
    expect(out).toContain('Name: _unreadable_');
    expect(out).toContain('1 problem to fix');
  });

  it('escapes what the requester wrote and stays within Slack limits for many long issues', () => {
    const { rejection } = example('request-rejected');
    const issues = Array.from({ length: 25 }, (_, i) => ({ path: `p${i}`, message: `<!channel> ${'m'.repeat(300)}` }));
    const msg = render({
      kind: 'request-rejected',
      rejection: { ...rejection, name: '<!here>', issues, omittedIssues: 3 },
    });
    expect(blockKitProblems(msg)).toEqual([]);
    expect(JSON.stringify(msg.blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(msg.blocks)).not.toContain('*<!here>*');
    expect(text(msg)).toContain('and 3 more');
  });
});

describe('formatDuration', () => {
  it.each([
    [45, '45s'],
    [432, '7m 12s'],
    [3720, '1h 02m'],
  ])('%i s reads %s', (s, out) => {
    expect(formatDuration(s)).toBe(out);
  });
});
