import type { AwsServiceError } from '../types';

/**
 * XML encoding of query-protocol results. awsQuery wraps a result in
 * `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` with lists of `<member>`; ec2Query puts the
 * lower-camel result directly in `<OpResponse>` after `<requestId>`, with lists of `<item>`.
 */

/** Escapes text for XML content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function scalar(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return escapeXml(String(value));
}

/** Encodes one value as the content of an element; `listItem` names list elements. */
export function encodeXmlValue(value: unknown, listItem: 'member' | 'item', keyCase: (k: string) => string): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    return value.map((v) => `<${listItem}>${encodeXmlValue(v, listItem, keyCase)}</${listItem}>`).join('');
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    let out = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      const name = keyCase(k);
      out += `<${name}>${encodeXmlValue(v, listItem, keyCase)}</${name}>`;
    }
    return out;
  }
  return scalar(value);
}

const identity = (k: string): string => k;
const lowerFirst = (k: string): string => (k.length > 0 ? k[0]?.toLowerCase() + k.slice(1) : k);

/** An awsQuery success response. */
export function encodeQueryResponse(operation: string, namespace: string, result: unknown, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${escapeXml(namespace)}">` +
    `<${operation}Result>${encodeXmlValue(result, 'member', identity)}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

/** An awsQuery error response. */
export function encodeQueryError(err: AwsServiceError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${err.fault}</Type>` +
    `<Code>${escapeXml(err.queryCode ?? err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** The EC2 XML namespace. */
export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** An ec2Query success response; keys are lower-cameled. */
export function encodeEc2Response(
  operation: string,
  result: unknown,
  requestId: string,
  namespace = EC2_NAMESPACE,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${escapeXml(namespace)}">` +
    `<requestId>${requestId}</requestId>${encodeXmlValue(result, 'item', lowerFirst)}</${operation}Response>`
  );
}

/** An ec2Query error response. */
export function encodeEc2Error(err: AwsServiceError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
