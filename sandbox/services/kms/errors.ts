import { AwsServiceError } from '../../core/types';

/** KMS's errors (awsJson1_1: `__type` is the code; every one is HTTP 400). */
export class KmsError extends AwsServiceError {
  constructor(code: string, message: string) {
    super(code, message, { status: 400 });
    this.name = code;
  }
}

export const notFound = (message: string): KmsError => new KmsError('NotFoundException', message);
export const validation = (message: string): KmsError => new KmsError('ValidationException', message);
export const invalidState = (message: string): KmsError => new KmsError('KMSInvalidStateException', message);
export const disabled = (arn: string): KmsError => new KmsError('DisabledException', `${arn} is disabled.`);
export const pendingDeletion = (arn: string): KmsError => invalidState(`${arn} is pending deletion.`);
export const malformedPolicy = (message: string): KmsError => new KmsError('MalformedPolicyDocumentException', message);
export const tagError = (message: string): KmsError => new KmsError('TagException', message);
export const unsupported = (message: string): KmsError => new KmsError('UnsupportedOperationException', message);
export const invalidMarker = (): KmsError => new KmsError('InvalidMarkerException', 'Invalid marker');
export const invalidKeyUsage = (message: string): KmsError => new KmsError('InvalidKeyUsageException', message);
export const invalidCiphertext = (): KmsError => new KmsError('InvalidCiphertextException', '');
export const incorrectKey = (): KmsError =>
  new KmsError(
    'IncorrectKeyException',
    'The key ID in the request does not identify a KMS key that can perform this operation.',
  );

/** `1 validation error detected: Value 'x' at 'keySpec' failed to satisfy constraint: …`. */
export function constraint(value: unknown, member: string, rule: string): KmsError {
  return validation(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`,
  );
}
