import { alertGuard } from '../../../../functions/guard-alert/alert';
import { runGuardrail } from '../../../../functions/shared/guardrails/pipeline';
import { type GuardHarness, guardHarness, sampleEvent } from '../shared/guardrails/harness';

const run = (event: unknown) => runGuardrail(event, 'guard-alert', alertGuard);

let h: GuardHarness;
beforeEach(() => {
  h = guardHarness();
});
afterEach(() => h.restore());

describe('guard-alert', () => {
  it('raises a critical finding when someone deletes a vendguard rule, and changes nothing', async () => {
    await run(sampleEvent('aws.events/delete-vendguard-rule.json'));
    expect(h.memberCalls()).toEqual([]);
    expect(h.findings()[0]).toMatchObject({
      rule: 'vendguard-tampering',
      severity: 'critical',
      mode: 'alert',
      resource: 'vendguard-igw-created',
      action: 'none: alert only',
      outcome: 'alerted',
    });
  });

  it('raises a critical finding when an account tries to leave the organization', async () => {
    await run(sampleEvent('aws.organizations/leave-organization.json'));
    expect(h.findings()[0]).toMatchObject({ rule: 'leave-organization', severity: 'critical', outcome: 'alerted' });
  });

  it('records a denied attempt with the error code and message', async () => {
    await run(sampleEvent('aws.ec2/create-internet-gateway-denied.json'));
    const [finding] = h.findings();
    expect(finding).toMatchObject({ rule: 'denied-attempts', severity: 'medium', outcome: 'alerted' });
    expect(finding?.summary).toContain('was denied CreateInternetGateway (Client.UnauthorizedOperation)');
    expect(finding?.reason).toContain('explicit deny in a service control policy');
  });

  it('alerts once for a duplicate delivery', async () => {
    await run(sampleEvent('aws.organizations/leave-organization.json'));
    await run(sampleEvent('aws.organizations/leave-organization.json'));
    expect(h.findings()).toHaveLength(1);
  });

  it('ignores a successful guarded call that is not an alert rule of its own', async () => {
    const result = await run(sampleEvent('aws.ec2/create-internet-gateway.json'));
    expect(result.status).toBe('ignored');
    expect(h.findings()).toEqual([]);
  });
});
