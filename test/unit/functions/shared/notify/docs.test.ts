import { readFileSync } from 'node:fs';
import { loadRules } from '../../../../../events/rules';
import { DOC, updatedDoc } from '../../../../../scripts/render-slack-docs';
import { SLACK_EXAMPLES } from '../../../../../scripts/slack-examples';

describe('docs/slack.md', () => {
  it('shows what the renderer renders today (run `npx tsx scripts/render-slack-docs.ts` after changing it)', () => {
    const current = readFileSync(DOC, 'utf8');
    expect(updatedDoc(current)).toBe(current);
  });

  it('has an example for every guardrail rule, each vending outcome, a rejected request and an approval request', () => {
    const guardrailRules = loadRules()
      .filter((r) => r.mode !== 'route' && r.target.kind === 'function' && r.target.name.startsWith('guard-'))
      .map((r) => r.name);
    const shown = new Set(
      SLACK_EXAMPLES.flatMap((e) => (e.notification.kind === 'finding' ? [e.notification.finding.rule] : [])),
    );
    expect(guardrailRules.length).toBeGreaterThan(0);
    for (const rule of guardrailRules) expect(shown).toContain(rule);
    const kinds = new Set(SLACK_EXAMPLES.map((e) => e.notification.kind));
    expect(kinds).toEqual(new Set(['finding', 'vended', 'vending-failed', 'request-rejected', 'approval-requested']));
  });
});
