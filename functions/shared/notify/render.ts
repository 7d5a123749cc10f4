/**
 * Block Kit builders: a guardrail finding, an account vended, an account vending failure, a
 * rejected account request, a request awaiting approval. Every
 * text is escaped and cut to Slack's limits, so rendering never fails on long input.
 */
import type { Severity } from '../../../config/schema';
import type {
  AccountApprovalRequested,
  AccountRequestRejected,
  AccountVended,
  AccountVendingFailed,
  GuardrailFinding,
} from '../schemas/findings';
import {
  type Block,
  context,
  divider,
  escapeMrkdwn,
  fields,
  header,
  LIMITS,
  linkButtons,
  message,
  type SlackMessage,
  section,
} from './blockkit';
import {
  cloudTrailEventLink,
  executionLink,
  organizationsAccountLink,
  resourceLink,
  s3AccountSettingsLink,
  stackSetLink,
} from './links';
import type { Notification } from './notification';

/** Severity at a glance: an emoji and the word. */
export const SEVERITY_BADGE = {
  critical: '🚨 CRITICAL',
  high: '🔴 HIGH',
  medium: '🟠 MEDIUM',
  low: '🟡 LOW',
  info: '🔵 INFO',
} as const satisfies Record<Severity, string>;

/** How each outcome reads in an alert. */
export const OUTCOME_BADGE = {
  remediated: '✅ remediated',
  'already-compliant': '☑️ already compliant',
  exempt: '🛡️ exempt (left alone)',
  alerted: '📣 alert only',
  'dry-run': '🧪 dry-run (nothing changed)',
  failed: '❌ remediation failed',
  suppressed: '⛔ suppressed (blast-radius guard)',
} as const satisfies Record<GuardrailFinding['outcome'], string>;

const code = (s: string) => `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``;
const codeBlock = (s: string) => `\`\`\`${escapeMrkdwn(s.replace(/```/g, "'''"))}\`\`\``;
const esc = escapeMrkdwn;

/** `payments-dev (222233334444)`, or the id alone. */
function accountLabel(id: string | undefined, name: string | undefined): string | undefined {
  if (!id) return name ? esc(name) : undefined;
  return name ? `${esc(name)} (${code(id)})` : code(id);
}

/** `7m 12s`, `1h 02m`, `45s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** The Slack message of a guardrail finding. */
export function renderFinding(f: GuardrailFinding, channel?: string): SlackMessage {
  const badge = SEVERITY_BADGE[f.severity];
  const resource = f.resource
    ? [code(f.resource), f.resourceType ? `(${esc(f.resourceType)})` : '', f.vpcId ? `in ${code(f.vpcId)}` : '']
        .filter(Boolean)
        .join(' ')
    : undefined;
  const links = [
    resourceLink(f.region, f.resource),
    f.vpcId && f.vpcId !== f.resource ? resourceLink(f.region, f.vpcId) : undefined,
    f.rule.startsWith('s3-') ? { label: 'S3 Block Public Access', url: s3AccountSettingsLink(f.region) } : undefined,
    { label: 'CloudTrail event', url: cloudTrailEventLink(f.region, f.eventId) },
  ].filter((l): l is { label: string; url: string } => l !== undefined);
  const blocks: Block[] = [
    header(`${badge} · ${f.rule} · ${f.outcome}`),
    section(esc(f.summary)),
    fields([
      ['Severity', badge],
      ['Rule', `${code(f.rule)} (${f.mode})`],
      ['Actor', code(f.actor)],
      ['Account', accountLabel(f.accountId, f.accountName)],
      ['Region', code(f.region)],
      ['Resource', resource],
      ['Action taken', esc(f.action)],
      ['Outcome', OUTCOME_BADGE[f.outcome]],
      ['CloudTrail event', `${code(f.eventName)}\n${code(f.eventId)}`],
      ['Event time', esc(f.eventTime)],
    ]),
  ];
  if (f.reason) blocks.push(section(`*Why:* ${esc(f.reason)}`));
  blocks.push(linkButtons(links));
  blocks.push(context([`vendguard guardrails · rule ${code(f.rule)} · event ${code(f.eventId)}`]));
  const fallback = `${badge} ${f.rule}: ${f.summary} — ${f.outcome}`;
  return message(fallback, blocks, channel);
}

/** The Slack message of a vended account. */
export function renderVended(v: AccountVended, channel?: string): SlackMessage {
  const blocks: Block[] = [
    header(`✅ Account vended: ${v.accountName}`),
    section(
      `*${esc(v.accountName)}* (${code(v.accountId)}) is ready in ${code(v.ou)} for *${esc(v.owner)}* after ${formatDuration(v.durationSeconds)}.`,
    ),
    fields([
      ['Account id', code(v.accountId)],
      ['Name', esc(v.accountName)],
      ['OU', `${code(v.ou)} (${code(v.ouId)})`],
      ['Owner', esc(v.owner)],
      ['Environment', esc(v.environment)],
      ['Cost center', v.costCenter ? esc(v.costCenter) : undefined],
      ['Baselines', v.baselines.length ? v.baselines.map(code).join(', ') : '_none_'],
      ['SCPs', v.scps.length ? v.scps.map(code).join(', ') : '_none_'],
      ['Regions', v.regions.map(code).join(', ') || '_none_'],
      ['Duration', formatDuration(v.durationSeconds)],
    ]),
    linkButtons([
      { label: 'Account (Organizations)', url: organizationsAccountLink(v.accountId) },
      { label: 'Execution (Step Functions)', url: executionLink(v.executionArn) },
    ]),
    context([`vendguard vending · request ${code(v.requestId)} · ${esc(v.email)} · started ${esc(v.startedAt)}`]),
  ];
  const fallback = `✅ Account vended: ${v.accountName} (${v.accountId}) in ${v.ou} for ${v.owner}`;
  return message(fallback, blocks, channel);
}

/** The Slack message of a failed vending, with the redrive command. */
export function renderVendingFailed(f: AccountVendingFailed, channel?: string): SlackMessage {
  const region = f.region ?? f.executionArn.split(':')[3] ?? 'us-east-1';
  const links = [
    { label: 'Execution (Step Functions)', url: executionLink(f.executionArn) },
    f.accountId ? { label: 'Account (Organizations)', url: organizationsAccountLink(f.accountId) } : undefined,
    f.stackSet ? { label: 'Stack set (CloudFormation)', url: stackSetLink(region, f.stackSet) } : undefined,
  ].filter((l): l is { label: string; url: string } => l !== undefined);
  const blocks: Block[] = [
    header(`❌ Account vending failed: ${f.accountName}`),
    section(`Vending of *${esc(f.accountName)}* failed at ${code(f.failedStep)}: ${code(f.error)}.`),
    fields([
      ['Failed step', code(f.failedStep)],
      ['Request', code(f.requestId)],
      ['Account', accountLabel(f.accountId, f.accountId ? f.accountName : undefined) ?? '_not created_'],
      ['OU', f.ou ? code(f.ou) : undefined],
      ['Owner', f.owner ? esc(f.owner) : undefined],
      ['Region', f.region ? code(f.region) : undefined],
      ['Stack set', f.stackSet ? code(f.stackSet) : undefined],
      ['Error', code(f.error)],
    ]),
    section(`*Cause*\n${codeBlock(f.cause)}`),
    divider(),
    section(`*Redrive* once the cause is fixed:\n${codeBlock(f.redriveCommand)}`),
    linkButtons(links),
    context([`vendguard vending · request ${code(f.requestId)} · execution ${code(f.executionArn)}`]),
  ];
  const fallback = `❌ Account vending failed: ${f.accountName} at ${f.failedStep}: ${f.error}`;
  return message(fallback, blocks, channel);
}

/** Packs lines into as few texts of at most `max` characters as possible (a longer line is cut by the builder). */
function packLines(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current && Array.from(current).length + 1 + Array.from(line).length > max) {
      out.push(current);
      current = line;
    } else current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out;
}

/** The Slack message of a rejected account request: who sent it, what could be read, every field and reason. */
export function renderRequestRejected(r: AccountRequestRejected, channel?: string): SlackMessage {
  const label = r.name ?? r.requestId ?? r.email ?? 'unreadable request';
  const count = r.issues.length + (r.omittedIssues ?? 0);
  const issueLines = r.issues.map((i) => `• ${i.path ? code(i.path) : '(the request)'}: ${esc(i.message)}`);
  if (r.omittedIssues) issueLines.push(`• _and ${r.omittedIssues} more_`);
  const blocks: Block[] = [
    header(`🚫 Account request rejected: ${label}`),
    section(
      `The account request ${r.name ? `*${esc(r.name)}* ` : ''}sent from account ${code(r.sourceAccount)} was not started: ${count} ${count === 1 ? 'problem' : 'problems'} to fix. Nothing was created; send the corrected request again.`,
    ),
    fields([
      ['Request', r.requestId ? code(r.requestId) : '_unreadable_'],
      ['Name', r.name ? esc(r.name) : '_unreadable_'],
      ['Email', r.email ? esc(r.email) : '_unreadable_'],
      ['Sent from account', code(r.sourceAccount)],
      ['Request event', code(r.requestEventId)],
      ['Sent at', r.requestTime ? esc(r.requestTime) : undefined],
    ]),
    ...packLines(['*Why* (field: reason)', ...issueLines], LIMITS.sectionText).map(section),
    context([`vendguard vending · request event ${code(r.requestEventId)} · no execution was started`]),
  ];
  const reasons = r.issues.map((i) => `${i.path || 'request'}: ${i.message}`).join('; ');
  const fallback = `🚫 Account request rejected: ${label} — ${reasons}`;
  return message(fallback, blocks, channel);
}

/** The Slack message of a request that waits for approval: what is asked, until when, and the two commands. */
export function renderApprovalRequested(a: AccountApprovalRequested, channel?: string): SlackMessage {
  const blocks: Block[] = [
    header(`✋ Approval needed: ${a.accountName}`),
    section(
      `*${esc(a.owner)}* requests account *${esc(a.accountName)}* in ${code(a.ou)}, which needs approval. Vending waits until ${esc(a.expiresAt)}; without a decision by then the request fails.`,
    ),
    fields([
      ['Request', code(a.requestId)],
      ['Name', esc(a.accountName)],
      ['Email', esc(a.email)],
      ['OU', code(a.ou)],
      ['Owner', esc(a.owner)],
      ['Environment', esc(a.environment)],
      ['Cost center', a.costCenter ? esc(a.costCenter) : undefined],
      ['Expires', esc(a.expiresAt)],
    ]),
    section(`*Approve*\n${codeBlock(a.approveCommand)}\n*Reject*\n${codeBlock(a.rejectCommand)}`),
    linkButtons([{ label: 'Execution (Step Functions)', url: executionLink(a.executionArn) }]),
    context([`vendguard vending · request ${code(a.requestId)} · asked ${esc(a.requestedAt)}`]),
  ];
  const fallback = `✋ Approval needed: ${a.accountName} in ${a.ou} for ${a.owner} (${a.approveCommand})`;
  return message(fallback, blocks, channel);
}

/** Renders any notification to its Slack message. */
export function render(n: Notification, channel?: string): SlackMessage {
  switch (n.kind) {
    case 'finding':
      return renderFinding(n.finding, channel);
    case 'vended':
      return renderVended(n.vended, channel);
    case 'vending-failed':
      return renderVendingFailed(n.failure, channel);
    case 'request-rejected':
      return renderRequestRejected(n.rejection, channel);
    case 'approval-requested':
      return renderApprovalRequested(n.approval, channel);
  }
}
