import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules } from '../../../../../events/rules';
import { GUARDRAIL_RULES, guardrailRule, ruleForRecord } from '../../../../../functions/shared/guardrails/rules';
import { type CloudTrailRecord, CloudTrailRecordSchema } from '../../../../../functions/shared/schemas/cloudtrail';

const record = (file: string, edit: (r: Record<string, unknown>) => void = () => undefined): CloudTrailRecord => {
  const event = JSON.parse(readFileSync(join(__dirname, '../../../../../events/samples', file), 'utf8')) as {
    detail: Record<string, unknown>;
  };
  edit(event.detail);
  return CloudTrailRecordSchema.parse(event.detail);
};

describe('guardrail rules as the functions see them', () => {
  it('carries mode and severity from the rule files, the same ones loadRules() reads', () => {
    for (const file of loadRules().filter((r) => GUARDRAIL_RULES.has(r.name))) {
      const rule = guardrailRule(file.name);
      expect([rule.name, rule.mode, rule.severity, rule.target]).toEqual([
        file.name,
        file.mode,
        file.severity,
        file.target.name,
      ]);
    }
    expect(GUARDRAIL_RULES.size).toBe(10);
  });

  it('finds the rule of a function from the event name', () => {
    expect(ruleForRecord('guard-internet-gateway', record('aws.ec2/create-internet-gateway.json'))?.name).toBe(
      'igw-created',
    );
    expect(ruleForRecord('guard-internet-gateway', record('aws.ec2/attach-internet-gateway.json'))?.name).toBe(
      'igw-attached',
    );
    expect(ruleForRecord('guard-cloudtrail', record('aws.cloudtrail/stop-logging.json'))?.name).toBe('trail-tampered');
  });

  it('sends a failed call to denied-attempts, never to a remediating rule', () => {
    const denied = record('aws.ec2/create-internet-gateway-denied.json');
    expect(ruleForRecord('guard-internet-gateway', denied)).toBeUndefined();
    expect(ruleForRecord('guard-alert', denied)?.name).toBe('denied-attempts');
  });

  it('finds no rule for an event another function serves', () => {
    expect(ruleForRecord('guard-security-group', record('aws.ec2/create-internet-gateway.json'))).toBeUndefined();
  });

  it('throws on an unknown rule name', () => {
    expect(() => guardrailRule('no-such-rule')).toThrow('unknown guardrail rule "no-such-rule"');
  });
});
