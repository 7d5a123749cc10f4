import { AwsServiceError } from '../../core/types';

/**
 * SQS errors as AWS sends them. SQS speaks JSON (SDK v3, the AWS CLI v1) and the query protocol (the
 * AWS CLI v2 2.9): each error has its JSON `__type` (`code`, which SDK v3 names the exception after)
 * and its query code (`queryCode`, sent as `<Code>` and in `x-amzn-query-error`), as the SQS model's
 * `awsQueryError` traits pair them (`QueueDoesNotExist` / `AWS.SimpleQueueService.NonExistentQueue`).
 * Messages are AWS's own where recorded (LocalStack's AWS-validated snapshots, the API reference).
 */
export class SqsError extends AwsServiceError {
  constructor(code: string, message: string, options: { status?: number; queryCode?: string } = {}) {
    super(code, message, options);
    this.name = code;
  }
}

export const QUEUE_DOES_NOT_EXIST_MESSAGE = 'The specified queue does not exist.';
/** What the query protocol says instead (AWS words it this way there). */
export const QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE = 'The specified queue does not exist for this wsdl version.';

/** `QueueDoesNotExist` / `AWS.SimpleQueueService.NonExistentQueue` (400). */
export class QueueDoesNotExist extends SqsError {
  constructor() {
    super('QueueDoesNotExist', QUEUE_DOES_NOT_EXIST_MESSAGE, { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });
  }
}

/** `QueueNameExists` / `QueueAlreadyExists` (400): CreateQueue of an existing name with other attribute values. */
export class QueueNameExists extends SqsError {
  constructor(attribute: string) {
    super(
      'QueueNameExists',
      `A queue already exists with the same name and a different value for attribute ${attribute}`,
      { queryCode: 'QueueAlreadyExists' },
    );
  }
}

/** `QueueDeletedRecently` (400): a name deleted less than 60 seconds ago. */
export class QueueDeletedRecently extends SqsError {
  constructor() {
    super(
      'QueueDeletedRecently',
      'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
      { queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently' },
    );
  }
}

/** `InvalidParameterValueException` / `InvalidParameterValue` (400). */
export class InvalidParameterValue extends SqsError {
  constructor(message: string) {
    super('InvalidParameterValueException', message, { queryCode: 'InvalidParameterValue' });
  }
}

/** `Value <v> for parameter <name> is invalid. Reason: <reason>` */
export function invalidValue(name: string, value: unknown, reason: string): InvalidParameterValue {
  return new InvalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

/** `MissingRequiredParameterException` / `MissingParameter` (400). */
export class MissingParameter extends SqsError {
  constructor(name: string) {
    super('MissingRequiredParameterException', `The request must contain the parameter ${name}.`, {
      queryCode: 'MissingParameter',
    });
  }
}

/** `InvalidAttributeName` (400): `Unknown Attribute <name>.` */
export class InvalidAttributeName extends SqsError {
  constructor(message: string) {
    super('InvalidAttributeName', message);
  }
}

/** `InvalidAttributeValue` (400): `Invalid value for the parameter <name>.` */
export class InvalidAttributeValue extends SqsError {
  constructor(attribute: string, reason?: string) {
    super(
      'InvalidAttributeValue',
      `Invalid value for the parameter ${attribute}.${reason ? ` Reason: ${reason}` : ''}`,
    );
  }
}

/** `InvalidAddress` (404): a QueueUrl that names no queue of this endpoint. */
export class InvalidAddress extends SqsError {
  constructor(address: string) {
    super('InvalidAddress', `The address ${address} is not valid for this endpoint.`, {
      status: 404,
      queryCode: 'InvalidAddress',
    });
  }
}

/** `ReceiptHandleIsInvalid` (404). */
export class ReceiptHandleIsInvalid extends SqsError {
  constructor(handle: string) {
    super('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, {
      status: 404,
      queryCode: 'ReceiptHandleIsInvalid',
    });
  }
}

/** `MessageNotInflight` / `AWS.SimpleQueueService.MessageNotInflight` (400). */
export class MessageNotInflight extends SqsError {
  constructor() {
    super('MessageNotInflight', "The specified message isn't in flight.", {
      queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    });
  }
}

/** `InvalidMessageContents` (400): characters outside the allowed set. */
export class InvalidMessageContents extends SqsError {
  constructor() {
    super(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
}

/** `PurgeQueueInProgress` / `AWS.SimpleQueueService.PurgeQueueInProgress` (403). */
export class PurgeQueueInProgress extends SqsError {
  constructor(queueName: string) {
    super('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`, {
      status: 403,
      queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    });
  }
}

/** `EmptyBatchRequest` / `AWS.SimpleQueueService.EmptyBatchRequest` (400). */
export class EmptyBatchRequest extends SqsError {
  constructor(entry: string) {
    super('EmptyBatchRequest', `There should be at least one ${entry} in the request.`, {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
  }
}

/** `TooManyEntriesInBatchRequest` / `AWS.SimpleQueueService.TooManyEntriesInBatchRequest` (400). */
export class TooManyEntriesInBatchRequest extends SqsError {
  constructor(count: number) {
    super('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${count}.`, {
      queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
  }
}

/** `InvalidBatchEntryId` / `AWS.SimpleQueueService.InvalidBatchEntryId` (400). */
export class InvalidBatchEntryId extends SqsError {
  constructor() {
    super(
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
    );
  }
}

/** `BatchEntryIdsNotDistinct` / `AWS.SimpleQueueService.BatchEntryIdsNotDistinct` (400). */
export class BatchEntryIdsNotDistinct extends SqsError {
  constructor(id: string) {
    super('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
      queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    });
  }
}

/** `BatchRequestTooLong` / `AWS.SimpleQueueService.BatchRequestTooLong` (400). */
export class BatchRequestTooLong extends SqsError {
  constructor(limit: number, sent: number) {
    super('BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${sent} bytes.`, {
      queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    });
  }
}

/** `UnsupportedOperation` / `AWS.SimpleQueueService.UnsupportedOperation` (400): what the sandbox does not model (FIFO queues). */
export class UnsupportedOperation extends SqsError {
  constructor(message: string) {
    super('UnsupportedOperation', message, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
  }
}

/** SQS's denial: `AccessDenied` (403) in the query protocol, `AccessDeniedException` in JSON. */
export class SqsAccessDenied extends SqsError {
  constructor(message: string) {
    super('AccessDeniedException', message, { status: 403, queryCode: 'AccessDenied' });
  }
}
