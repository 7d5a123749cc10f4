import { AwsServiceError } from '../types';

/**
 * awsJson1_0 / awsJson1_1: `X-Amz-Target: <Prefix>.<Op>`, JSON in and out. Timestamps travel as
 * epoch seconds; an error is `{"__type":"<Code>","message":"…"}` with header `x-amzn-errortype`.
 */

/** The operation name of an `X-Amz-Target` header with this prefix, or undefined. */
export function jsonOperation(target: string | undefined, prefix: string): string | undefined {
  if (!target) return undefined;
  const dot = target.lastIndexOf('.');
  if (dot < 0 || target.slice(0, dot) !== prefix) return undefined;
  return target.slice(dot + 1);
}

/** Parses a JSON request body; an empty body is `{}`; anything but an object is a `SerializationException`. */
export function decodeJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new AwsServiceError(
      'SerializationException',
      `Start of structure or map found where not expected: ${(err as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Serialises a result: `Date` becomes epoch seconds, as the JSON protocols send timestamps. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value ?? {}, function replacer(this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    return v;
  });
}

/** Extra members of a modelled error (e.g. `Reason` of `ConstraintViolationException`), if it carries them. */
export function errorFields(err: AwsServiceError): Record<string, unknown> {
  const fields = (err as AwsServiceError & { fields?: unknown }).fields;
  return fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {};
}

/** The body and headers of a JSON-protocol error. */
export function encodeJsonError(err: AwsServiceError): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  return {
    status: err.status,
    headers: {
      'x-amzn-errortype': err.code,
      ...(err.queryCode ? { 'x-amzn-query-error': `${err.queryCode};${err.fault}` } : {}),
    },
    body: JSON.stringify({ ...errorFields(err), __type: err.code, message: err.message }),
  };
}
