/**
 * The slice of Slack Block Kit the notifier uses, with Slack's limits. Builders truncate every
 * text to its limit (with an ellipsis) so a message is never rejected for length;
 * {@link blockKitProblems} checks a finished message against the same rules.
 * See https://api.slack.com/reference/block-kit/blocks
 */

/** Slack's documented limits for the blocks vendguard sends. */
export const LIMITS = {
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  blocks: 50,
  /** The top-level `text` fallback (notifications, screen readers). */
  fallbackText: 3000,
} as const;

export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}
export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface HeaderBlock {
  readonly type: 'header';
  readonly text: PlainText;
}
export interface SectionBlock {
  readonly type: 'section';
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
}
export interface ContextBlock {
  readonly type: 'context';
  readonly elements: readonly TextObject[];
}
export interface DividerBlock {
  readonly type: 'divider';
}
export interface ButtonElement {
  readonly type: 'button';
  readonly text: PlainText;
  readonly url: string;
  readonly action_id: string;
}
export interface ActionsBlock {
  readonly type: 'actions';
  readonly elements: readonly ButtonElement[];
}
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** What is POSTed to the incoming webhook. */
export interface SlackMessage {
  /** Fallback shown in notifications and by clients that cannot render blocks. */
  readonly text: string;
  /** Legacy webhooks honour it; app webhooks are bound to their channel and ignore it. */
  readonly channel?: string;
  readonly blocks: readonly Block[];
}

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, Math.max(0, max - 1)).join('');
  // An unbalanced code fence would swallow the rest of the message: close it.
  if ((cut.match(/```/g)?.length ?? 0) % 2 === 1)
    cut = `${Array.from(cut)
      .slice(0, Math.max(0, max - 5))
      .join('')}\n\`\`\``;
  return `${cut}${ELLIPSIS}`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

/** A section of label/value fields (at most 10 kept); `undefined` values are left out. */
export function fields(pairs: readonly (readonly [string, string | undefined])[]): SectionBlock {
  const kept = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== '');
  return {
    type: 'section',
    fields: kept
      .slice(0, LIMITS.sectionFields)
      .map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, LIMITS.fieldText) })),
  };
}

export function context(texts: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.contextText) })),
  };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/** Link buttons; those whose URL exceeds Slack's limit are left out rather than rejected. */
export function linkButtons(links: readonly { readonly label: string; readonly url: string }[]): ActionsBlock {
  return {
    type: 'actions',
    elements: links
      .filter((l) => l.url.length <= LIMITS.buttonUrl)
      .slice(0, LIMITS.actionsElements)
      .map((l, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: truncate(l.label, LIMITS.buttonText), emoji: true },
        url: l.url,
        action_id: `link-${i}`,
      })),
  };
}

/** Assembles a message: at most 50 blocks, the fallback text (plain; escaped here) cut to its limit. */
export function message(text: string, blocks: readonly Block[], channel?: string): SlackMessage {
  const kept = blocks.filter((b) => !(b.type === 'actions' && b.elements.length === 0));
  return {
    text: truncate(escapeMrkdwn(text), LIMITS.fallbackText),
    ...(channel ? { channel } : {}),
    blocks: kept.slice(0, LIMITS.blocks),
  };
}

/**
 * Every way `msg` breaks the Block Kit rules vendguard relies on (empty when valid): block types,
 * text limits, field counts, the block count and the fallback text.
 */
export function blockKitProblems(msg: SlackMessage): string[] {
  const problems: string[] = [];
  const len = (s: string) => Array.from(s).length;
  const checkText = (where: string, t: TextObject | undefined, max: number) => {
    if (!t) return;
    const type: string = t.type;
    if (type !== 'plain_text' && type !== 'mrkdwn') problems.push(`${where}: text type ${type}`);
    if (typeof t.text !== 'string' || len(t.text) === 0) problems.push(`${where}: empty text`);
    else if (len(t.text) > max) problems.push(`${where}: ${len(t.text)} > ${max} characters`);
  };
  if (typeof msg.text !== 'string' || msg.text.length === 0) problems.push('text: missing fallback');
  else if (len(msg.text) > LIMITS.fallbackText) problems.push(`text: > ${LIMITS.fallbackText} characters`);
  if (msg.blocks.length > LIMITS.blocks) problems.push(`blocks: ${msg.blocks.length} > ${LIMITS.blocks}`);
  msg.blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    switch (block.type) {
      case 'header':
        if (block.text.type !== 'plain_text') problems.push(`${at}: header text must be plain_text`);
        checkText(`${at}.text`, block.text, LIMITS.headerText);
        break;
      case 'section':
        if (!block.text && !block.fields?.length) problems.push(`${at}: section needs text or fields`);
        checkText(`${at}.text`, block.text, LIMITS.sectionText);
        if ((block.fields?.length ?? 0) > LIMITS.sectionFields)
          problems.push(`${at}: ${block.fields?.length} fields > ${LIMITS.sectionFields}`);
        for (const [j, f] of (block.fields ?? []).entries()) checkText(`${at}.fields[${j}]`, f, LIMITS.fieldText);
        break;
      case 'context':
        if (block.elements.length === 0 || block.elements.length > LIMITS.contextElements)
          problems.push(`${at}: context needs 1..${LIMITS.contextElements} elements`);
        for (const [j, e] of block.elements.entries()) checkText(`${at}.elements[${j}]`, e, LIMITS.contextText);
        break;
      case 'divider':
        break;
      case 'actions':
        if (block.elements.length === 0 || block.elements.length > LIMITS.actionsElements)
          problems.push(`${at}: actions needs 1..${LIMITS.actionsElements} elements`);
        block.elements.forEach((e, j) => {
          if (e.type !== 'button') problems.push(`${at}.elements[${j}]: not a button`);
          checkText(`${at}.elements[${j}].text`, e.text, LIMITS.buttonText);
          if (!/^https?:\/\//.test(e.url) || e.url.length > LIMITS.buttonUrl)
            problems.push(`${at}.elements[${j}]: bad url`);
        });
        break;
      default:
        problems.push(`${at}: block type ${String((block as { type: unknown }).type)} is not allowed`);
    }
  });
  return problems;
}
