import type { Block } from './blockkit';

/** Undoes mrkdwn escaping and turns `<url|label>` links into `label (url)`. */
function unMrkdwn(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/\n?```([\s\S]*?)```/g, (_m, body: string) => `\n${body.replace(/^/gm, '    ')}`)
    .replace(/(?<!`)`([^`\n]+)`(?!`)/g, '$1')
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:])/gm, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Renders Block Kit blocks as plain text for a terminal or a doc: a header line, sections and
 * fields as lines (`Label: value`), links as `label: url`, a divider as a rule. Unknown blocks are
 * skipped.
 *
 * @example
 * renderPlainText(message.blocks) // '🔴 HIGH · igw-attached · remediated\n…'
 */
export function renderPlainText(blocks: readonly unknown[]): string {
  const lines: string[] = [];
  for (const raw of blocks) {
    if (typeof raw !== 'object' || raw === null) continue;
    const block = raw as Block;
    switch (block.type) {
      case 'header':
        lines.push(block.text.text);
        break;
      case 'section':
        if (block.text) lines.push(unMrkdwn(block.text.text));
        for (const f of block.fields ?? []) {
          const [label, ...rest] = unMrkdwn(f.text).split('\n');
          lines.push(`${label}: ${rest.join(' ')}`);
        }
        break;
      case 'context':
        lines.push(block.elements.map((e) => unMrkdwn(e.text)).join(' · '));
        break;
      case 'divider':
        lines.push('---');
        break;
      case 'actions':
        for (const e of block.elements) lines.push(`${e.text.text}: ${e.url}`);
        break;
    }
  }
  return lines.join('\n');
}
