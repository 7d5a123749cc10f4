import type { AwsServiceError } from '../../core/types';
import { type QueryCodec, xmlElement, xmlText } from '../query-front';
import { QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE, SqsError } from './errors';

/**
 * SQS's query protocol (version 2012-11-05, what the AWS CLI v2 2.9 speaks): every list and map is
 * flattened. A form's `Attribute.1.Name`/`Attribute.1.Value`, `AttributeName.1`, `MessageAttribute.1.Name`
 * + `…Value.StringValue`, `Tag.1.Key`, `TagKey.1` and `SendMessageBatchRequestEntry.1.Id` become the JSON
 * input's maps and lists; a result's `QueueUrls`, `Attributes`, `Messages`, `MessageAttributes`, `Tags`,
 * `Successful` and `Failed` are written as repeated `<QueueUrl>`, `<Attribute><Name/><Value/></Attribute>`,
 * `<Message>`, `<MessageAttribute>`, `<Tag><Key/><Value/></Tag>`, `<…BatchResultEntry>` and
 * `<BatchResultErrorEntry>` elements (the botocore model's `flattened` shapes and location names).
 */

export const SQS_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

type Form = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** `[{ Name, Value }]` (or `Key`/`Value`) → `{ name: value }`. */
function toMap(v: unknown, key = 'Name', value = 'Value'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of asList(v)) {
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (typeof e[key] === 'string') out[e[key] as string] = e[value];
  }
  return out;
}

/** Renames the flattened members of one form level to the JSON input's names. */
function fromForm(form: Form, operation: string): Form {
  const out: Form = {};
  for (const [k, v] of Object.entries(form)) {
    switch (k) {
      case 'Attribute':
        out.Attributes = toMap(v);
        break;
      case 'AttributeName':
        out.AttributeNames = asList(v);
        break;
      case 'MessageSystemAttributeName':
        out.MessageSystemAttributeNames = asList(v);
        break;
      case 'MessageAttributeName':
        out.MessageAttributeNames = asList(v);
        break;
      case 'MessageAttribute':
        out.MessageAttributes = toMap(v);
        break;
      case 'MessageSystemAttribute':
        out.MessageSystemAttributes = toMap(v);
        break;
      case 'Tag':
        // CreateQueue's member is `tags` (location name `Tag`), TagQueue's `Tags`
        out[operation === 'CreateQueue' ? 'tags' : 'Tags'] = toMap(v, 'Key', 'Value');
        break;
      case 'TagKey':
        out.TagKeys = asList(v);
        break;
      case 'SendMessageBatchRequestEntry':
      case 'DeleteMessageBatchRequestEntry':
      case 'ChangeMessageVisibilityBatchRequestEntry':
        out.Entries = asList(v).map((e) => (e && typeof e === 'object' ? fromForm(e as Form, operation) : e));
        break;
      default:
        out[k] = v;
    }
  }
  return out;
}

function scalarOrStruct(name: string, value: unknown): string {
  if (value !== null && typeof value === 'object') return xmlElement(name, structure(value as Record<string, unknown>));
  return xmlText(name, value);
}

/** One JSON-shaped structure as SQS's flattened XML. */
function structure(value: Record<string, unknown>, operation = ''): string {
  let out = '';
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    switch (k) {
      case 'QueueUrls':
        for (const url of asList(v)) out += xmlText('QueueUrl', url);
        break;
      case 'Attributes':
        for (const [name, val] of Object.entries(v as Record<string, unknown>))
          out += xmlElement('Attribute', xmlText('Name', name) + xmlText('Value', val));
        break;
      case 'MessageAttributes':
        for (const [name, val] of Object.entries(v as Record<string, unknown>))
          out += xmlElement('MessageAttribute', xmlText('Name', name) + scalarOrStruct('Value', val));
        break;
      case 'Tags':
        for (const [name, val] of Object.entries(v as Record<string, unknown>))
          out += xmlElement('Tag', xmlText('Key', name) + xmlText('Value', val));
        break;
      case 'Messages':
        for (const m of asList(v)) out += xmlElement('Message', structure(m as Record<string, unknown>));
        break;
      case 'Successful':
        for (const e of asList(v))
          out += xmlElement(`${operation}ResultEntry`, structure(e as Record<string, unknown>));
        break;
      case 'Failed':
        for (const e of asList(v)) out += xmlElement('BatchResultErrorEntry', structure(e as Record<string, unknown>));
        break;
      default:
        out += scalarOrStruct(k, v);
    }
  }
  return out;
}

/** The query codec of the SQS front. */
export const SQS_QUERY: QueryCodec = {
  namespace: SQS_NAMESPACE,
  input: (operation, form) => fromForm(form, operation),
  output: (operation, result) =>
    result && typeof result === 'object' ? structure(result as Record<string, unknown>, operation) : '',
  error(err: AwsServiceError) {
    if (err.code !== 'QueueDoesNotExist') return err;
    return new SqsError(err.code, QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE, {
      status: err.status,
      ...(err.queryCode ? { queryCode: err.queryCode } : {}),
    });
  },
};
