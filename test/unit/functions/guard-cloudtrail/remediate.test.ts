import { StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { cloudTrailGuard } from '../../../../functions/guard-cloudtrail/remediate';
import { runGuardrail } from '../../../../functions/shared/guardrails/pipeline';
import { EGRESS, type GuardHarness, guardHarness, sampleEvent } from '../shared/guardrails/harness';

const TRAIL = 'arn:aws:cloudtrail:eu-west-1:222233334444:trail/management-events';
const run = (event: unknown) => runGuardrail(event, 'guard-cloudtrail', cloudTrailGuard);

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
  h.cloudtrail.on(StartLoggingCommand).resolves({});
});
afterEach(() => h.restore());

describe('guard-cloudtrail', () => {
  it('restarts a stopped trail and raises a critical finding', async () => {
    await run(sampleEvent('aws.cloudtrail/stop-logging.json'));
    expect(h.cloudtrail.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: TRAIL }]);
    expect(h.findings()[0]).toMatchObject({
      rule: 'trail-tampered',
      severity: 'critical',
      resource: TRAIL,
      action: `restarted logging of ${TRAIL}`,
      outcome: 'remediated',
    });
  });

  it('alerts that it could not restart the trail when StartLogging fails', async () => {
    h.cloudtrail
      .on(StartLoggingCommand)
      .rejects(Object.assign(new Error('no such trail'), { name: 'TrailNotFoundException' }));
    await run(sampleEvent('aws.cloudtrail/stop-logging.json'));
    expect(h.findings()[0]).toMatchObject({
      outcome: 'failed',
      severity: 'critical',
      reason: 'TrailNotFoundException: no such trail',
    });
  });

  it('rethrows a token still expired after one renewal so the delivery is retried, recording nothing', async () => {
    h.cloudtrail
      .on(StartLoggingCommand)
      .rejects(Object.assign(new Error('the security token expired'), { name: 'ExpiredToken' }));
    await expect(run(sampleEvent('aws.cloudtrail/stop-logging.json'))).rejects.toMatchObject({ name: 'ExpiredToken' });
    expect(h.findings()).toEqual([]);
  });

  it('assumes the role again when a call is refused as expired, and restarts the trail in the same delivery', async () => {
    h.cloudtrail
      .on(StartLoggingCommand)
      .rejectsOnce(Object.assign(new Error('the security token expired'), { name: 'ExpiredToken' }))
      .resolves({});
    await run(sampleEvent('aws.cloudtrail/stop-logging.json'));
    expect(h.sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(h.cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(2);
    expect(h.findings().map((f) => f.outcome)).toEqual(['remediated']);
  });

  it('alerts, critical, on a trail stopped in an exempt account, and leaves the trail alone', async () => {
    await run(sampleEvent('aws.cloudtrail/stop-logging.json', { account: EGRESS }));
    expect(h.cloudtrail.commandCalls(StartLoggingCommand)).toEqual([]);
    expect(h.findings()[0]).toMatchObject({ severity: 'critical', outcome: 'alerted' });
  });

  it('alerts on a deleted trail without trying to restart it', async () => {
    await run(sampleEvent('aws.cloudtrail/delete-trail.json'));
    expect(h.memberCalls()).toEqual([]);
    expect(h.findings()[0]).toMatchObject({ outcome: 'alerted', severity: 'critical' });
    expect(h.findings()[0]?.summary).toContain(`deleted trail ${TRAIL}`);
  });
});
