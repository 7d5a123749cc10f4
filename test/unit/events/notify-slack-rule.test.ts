import { loadRules } from '../../../events/rules';
import { matchesEventPattern } from '../../../sandbox/services/eventbridge/pattern';

const rule = loadRules().find((r) => r.name === 'notify-slack');
const envelope = (source: string, detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'e1',
  'detail-type': detailType,
  source,
  account: '100000000001',
  time: '2026-11-26T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});
const finding = (outcome: string) =>
  envelope('vendguard.guardrails', 'Guardrail Finding', { rule: 'igw-created', outcome });

describe('the notify-slack rule', () => {
  it.each(['remediated', 'alerted', 'dry-run', 'failed', 'suppressed'])('sends a %s finding to Slack', (outcome) => {
    expect(matchesEventPattern(rule!.pattern!, finding(outcome))).toBe(true);
  });

  it.each(['already-compliant', 'exempt'])('keeps a %s finding out of Slack (the archive is its record)', (outcome) => {
    expect(matchesEventPattern(rule!.pattern!, finding(outcome))).toBe(false);
  });

  it.each(['Account Vended', 'Account Vending Failed', 'Account Request Rejected'])(
    'sends %s to Slack',
    (detailType) => {
      expect(matchesEventPattern(rule!.pattern!, envelope('vendguard.vending', detailType, { requestId: 'r' }))).toBe(
        true,
      );
    },
  );

  it('ignores other events on the bus', () => {
    expect(matchesEventPattern(rule!.pattern!, envelope('vendguard.requests', 'Account Request', {}))).toBe(false);
    expect(
      matchesEventPattern(rule!.pattern!, envelope('vendguard.requests', 'Account Request Rejected', { issues: [] })),
    ).toBe(false);
    expect(
      matchesEventPattern(
        rule!.pattern!,
        envelope('vendguard.vending', 'Guardrail Finding', { outcome: 'remediated' }),
      ),
    ).toBe(false);
  });
});
