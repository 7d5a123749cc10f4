import { AwsServiceError } from '../types';

/**
 * Input accessors for operation handlers: a missing required member is the AWS-shaped error of
 * the protocol (`ValidationException` for JSON services, `MissingParameter` for query services).
 */

/** An AWS error with extra modelled members (e.g. `Reason`), sent in JSON error bodies. */
export class AwsErrorWithFields extends AwsServiceError {
  constructor(
    code: string,
    message: string,
    readonly fields: Record<string, unknown>,
    options: { status?: number } = {},
  ) {
    super(code, message, options);
  }
}

const lowerFirst = (k: string): string => (k.length > 0 ? (k[0] as string).toLowerCase() + k.slice(1) : k);

/** The error for a missing required member. */
export function missingParameter(name: string, style: 'json' | 'query' = 'json'): AwsServiceError {
  if (style === 'query') {
    return new AwsServiceError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
  );
}

/** A required string member. */
export function requiredString(input: Record<string, unknown>, name: string, style: 'json' | 'query' = 'json'): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw missingParameter(name, style);
  if (typeof v !== 'string') {
    throw new AwsServiceError(
      style === 'json' ? 'SerializationException' : 'InvalidParameterValue',
      `Value for ${name} must be a string`,
    );
  }
  return v;
}

/** An optional string member. */
export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsServiceError('SerializationException', `Value for ${name} must be a string`);
  return v;
}

/** An optional integer member (JSON number or query string). */
export function optionalInt(input: Record<string, unknown>, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new AwsServiceError('InvalidParameterValue', `Value for ${name} must be an integer`);
  return n;
}

/** An optional list of objects (`Tags`). */
export function optionalList(input: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AwsServiceError('SerializationException', `Value for ${name} must be a list`);
  return v as Record<string, unknown>[];
}
