import { loadOrganizationConfig } from '../../../../../config/load';
import type { Notification } from '../../../../../functions/shared/notify/notification';
import { notificationKey } from '../../../../../functions/shared/notify/notification';
import { routeFor } from '../../../../../functions/shared/notify/routing';
import { exampleOf, SLACK_EXAMPLES } from '../../../../../scripts/slack-examples';

const channels = loadOrganizationConfig().config.slack.channels;
const { finding } = exampleOf('finding', 1);
const vended = SLACK_EXAMPLES.find((e) => e.notification.kind === 'vended')?.notification as Notification;
const failed = SLACK_EXAMPLES.find((e) => e.notification.kind === 'vending-failed')?.notification as Extract<
  Notification,
  { kind: 'vending-failed' }
>;

describe('routeFor', () => {
  it.each([
    ['critical', '#sec-critical'],
    ['high', '#sec-alerts'],
    ['medium', '#sec-alerts'],
    ['low', '#platform-notices'],
    ['info', '#platform-notices'],
  ] as const)('sends a %s finding to %s (config slack.channels)', (severity, channel) => {
    expect(routeFor({ kind: 'finding', finding: { ...finding, severity } }, channels)).toEqual({
      channel,
      reason: `severity ${severity}`,
    });
  });

  it('sends vending outcomes and rejected requests to the vending channel', () => {
    expect(routeFor(vended, channels)).toEqual({ channel: '#account-vending', reason: 'kind vending' });
    expect(routeFor(failed, channels).channel).toBe('#account-vending');
    expect(routeFor(exampleOf('request-rejected'), channels).channel).toBe('#account-vending');
  });
});

describe('notificationKey', () => {
  it('keys a finding by rule, account, region, resource and outcome', () => {
    expect(notificationKey({ kind: 'finding', finding })).toBe(
      'finding:igw-attached:482913570264:eu-west-1:igw-0c4d5e6f7a8b9c0d1:AttachInternetGateway:remediated',
    );
  });

  it('ignores what does not make a finding different (event id, time, actor)', () => {
    const again = { ...finding, eventId: 'other', eventTime: '2026-11-26T11:00:00Z', actor: 'someone' };
    expect(notificationKey({ kind: 'finding', finding: again })).toBe(notificationKey({ kind: 'finding', finding }));
  });

  it('tells outcomes and resources apart', () => {
    const keys = new Set([
      notificationKey({ kind: 'finding', finding }),
      notificationKey({ kind: 'finding', finding: { ...finding, outcome: 'failed' } }),
      notificationKey({ kind: 'finding', finding: { ...finding, resource: 'igw-other' } }),
      notificationKey({ kind: 'finding', finding: { ...finding, region: 'eu-central-1' } }),
    ]);
    expect(keys.size).toBe(4);
  });

  it('keys vending by request id and outcome', () => {
    expect(notificationKey(vended)).toBe('vending:req-5f3a9c0e1b7d4a26:vended');
    expect(notificationKey(failed)).toBe('vending:req-5f3a9c0e1b7d4a26:failed:DeployBaseline');
  });

  it('keys a rejection by request id and the rejected event, so a request sent again is answered again', () => {
    const rejected = exampleOf('request-rejected');
    expect(notificationKey(rejected)).toBe(
      'vending:req-payments-prod-0002:rejected:7e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6',
    );
    const again = { ...rejected, rejection: { ...rejected.rejection, requestEventId: 'other-event' } };
    expect(notificationKey(again)).not.toBe(notificationKey(rejected));
    const { requestId: _, ...anonymous } = rejected.rejection;
    expect(notificationKey({ kind: 'request-rejected', rejection: anonymous })).toBe(
      'vending:-:rejected:7e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6',
    );
  });
});
