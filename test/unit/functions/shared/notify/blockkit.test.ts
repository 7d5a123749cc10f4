import {
  blockKitProblems,
  fields,
  header,
  LIMITS,
  linkButtons,
  message,
  type SlackMessage,
  section,
  truncate,
} from '../../../../../functions/shared/notify/blockkit';

describe('truncate', () => {
  it('keeps a text within the limit unchanged', () => {
    expect(truncate('short', 10)).toBe('short');
  });

  it('cuts a long text to the limit, ending with an ellipsis', () => {
    const out = truncate('x'.repeat(200), 150);
    expect(Array.from(out)).toHaveLength(150);
    expect(out.endsWith('…')).toBe(true);
  });

  it('counts emoji as one character and never splits one', () => {
    const out = truncate('🔴'.repeat(10), 5);
    expect(out).toBe('🔴🔴🔴🔴…');
  });

  it('closes a code block it cut in half', () => {
    const out = truncate(`\`\`\`${'c'.repeat(100)}\`\`\``, 50);
    expect(Array.from(out).length).toBeLessThanOrEqual(50);
    expect(out.match(/```/g)).toHaveLength(2);
  });
});

describe('builders', () => {
  it('keep at most 10 fields, leave out empty values and cut each field to 2000 characters', () => {
    const pairs = Array.from({ length: 14 }, (_, i) => [`f${i}`, i === 3 ? undefined : 'v'.repeat(3000)] as const);
    const block = fields(pairs);
    expect(block.fields).toHaveLength(LIMITS.sectionFields);
    expect(block.fields?.map((f) => f.text.split('\n')[0])).not.toContain('*f3*');
    for (const f of block.fields ?? []) expect(Array.from(f.text).length).toBeLessThanOrEqual(LIMITS.fieldText);
  });

  it('assemble at most 50 blocks and drop an actions block without buttons', () => {
    const blocks = [linkButtons([]), ...Array.from({ length: 60 }, (_, i) => section(`s${i}`))];
    const msg = message('fallback', blocks);
    expect(msg.blocks).toHaveLength(LIMITS.blocks);
    expect(msg.blocks[0]?.type).toBe('section');
    expect(blockKitProblems(msg)).toEqual([]);
  });

  it('leave out a button whose URL is longer than Slack accepts', () => {
    const block = linkButtons([
      { label: 'ok', url: 'https://example.com' },
      { label: 'long', url: `https://example.com/${'a'.repeat(3000)}` },
    ]);
    expect(block.elements.map((e) => e.text.text)).toEqual(['ok']);
  });
});

describe('blockKitProblems', () => {
  const valid: SlackMessage = { text: 'hi', blocks: [header('h'), section('s')] };

  it('accepts a valid message', () => {
    expect(blockKitProblems(valid)).toEqual([]);
  });

  it('names every broken rule', () => {
    const bad = {
      text: '',
      blocks: [
        { type: 'image', image_url: 'x' },
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        { type: 'section' },
        { type: 'context', elements: [] },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, url: 'ftp://x', action_id: 'a' }],
        },
      ],
    } as unknown as SlackMessage;
    const problems = blockKitProblems(bad);
    expect(problems).toEqual([
      'text: missing fallback',
      'blocks[0]: block type image is not allowed',
      'blocks[1].text: 151 > 150 characters',
      'blocks[2].text: 3001 > 3000 characters',
      'blocks[3]: 11 fields > 10',
      'blocks[4]: section needs text or fields',
      'blocks[5]: context needs 1..10 elements',
      'blocks[6].elements[0]: bad url',
    ]);
  });

  it('rejects more than 50 blocks', () => {
    const msg = { text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) } as SlackMessage;
    expect(blockKitProblems(msg)).toEqual(['blocks: 51 > 50']);
  });
});
