import { type QueryCodec, xmlElement, xmlText } from '../query-front';

/**
 * SNS's awsQuery (2010-03-31): lists are `<member>` elements, and the attribute maps of
 * GetTopicAttributes / GetSubscriptionAttributes are `<entry><key>…</key><value>…</value></entry>`
 * lists (SDK v3 reads them by the `entry` name). In a form, Publish's message attributes are a map
 * keyed by `Name` with `Value` (`MessageAttributes.entry.1.Name`, `…entry.1.Value.StringValue`),
 * renamed here to the `key`/`value` form the decoder turns into a map.
 */

export const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Maps (as opposed to structures) in SNS results. */
const MAPS = new Set(['Attributes']);

function value(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return xmlElement(name, v.map((item) => value('member', item)).join(''));
  if (typeof v === 'object') {
    if (MAPS.has(name)) {
      const entries = Object.entries(v as Record<string, unknown>)
        .map(([k, val]) => xmlElement('entry', xmlText('key', k) + xmlText('value', val)))
        .join('');
      return xmlElement(name, entries);
    }
    return xmlElement(name, structure(v as Record<string, unknown>));
  }
  return xmlText(name, v);
}

function structure(v: Record<string, unknown>): string {
  return Object.entries(v)
    .map(([k, val]) => value(k, val))
    .join('');
}

/** `MessageAttributes.entry.N.Name` → `…entry.N.key`, `…entry.N.Value.X` → `…entry.N.value.X`. */
function formKey(key: string): string {
  const m = /^(MessageAttributes\.entry\.\d+)\.(Name|Value)(\..*)?$/.exec(key);
  if (!m) return key;
  return `${m[1]}.${m[2] === 'Name' ? 'key' : 'value'}${m[3] ?? ''}`;
}

/** The query codec of the SNS front. */
export const SNS_QUERY: QueryCodec = {
  namespace: SNS_NAMESPACE,
  formKey,
  output: (_operation, result) =>
    result && typeof result === 'object' ? structure(result as Record<string, unknown>) : '',
};
