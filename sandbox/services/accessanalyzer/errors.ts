import { AwsServiceError } from '../../core/types';

/**
 * IAM Access Analyzer's errors as its REST-JSON API sends them: the code in `x-amzn-ErrorType`, a body
 * `{ "message": … }` with the members the model gives each (`reason` of `ValidationException`,
 * `resourceId`/`resourceType` of `ConflictException` and `ResourceNotFoundException`).
 */
const STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export class AccessAnalyzerError extends AwsServiceError {
  constructor(
    code: string,
    message: string,
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message, { status: STATUS[code] ?? 400 });
    this.name = code;
  }
}

/**
 * `ValidationException`. AWS sends the reason as `FIELD_VALIDATION_FAILED` on the wire
 * (nozaq/terraform-aws-secure-baseline#184), though the model spells the enum `fieldValidationFailed`.
 */
export const validation = (message: string): AccessAnalyzerError =>
  new AccessAnalyzerError('ValidationException', message, { reason: 'FIELD_VALIDATION_FAILED' });

/** An analyzer of the organization without trusted access for Access Analyzer (nozaq/terraform-aws-secure-baseline#184, #258). */
export const serviceNotEnabled = (): AccessAnalyzerError => validation('Service not enabled for AWS Organizations');

export const analyzerExists = (name: string): AccessAnalyzerError =>
  new AccessAnalyzerError('ConflictException', `Analyzer ${name} already exists`, {
    resourceId: name,
    resourceType: 'Analyzer',
  });

export const analyzerNotFound = (name: string): AccessAnalyzerError =>
  new AccessAnalyzerError('ResourceNotFoundException', `Analyzer ${name} not found`, {
    resourceId: name,
    resourceType: 'Analyzer',
  });

export const accessDenied = (message: string): AccessAnalyzerError =>
  new AccessAnalyzerError('AccessDeniedException', message);

export const internalError = (err: unknown): AwsServiceError =>
  err instanceof AwsServiceError
    ? err
    : new AccessAnalyzerError('InternalServerException', `Internal server error: ${String(err)}`);
