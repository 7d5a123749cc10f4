import { AwsErrorWithFields } from '../../../../../sandbox/core/protocols/input';
import { decodeJsonBody, encodeJson, encodeJsonError, jsonOperation } from '../../../../../sandbox/core/protocols/json';
import { AwsServiceError } from '../../../../../sandbox/core/types';

describe('JSON protocol', () => {
  it('reads the operation from X-Amz-Target only for the service prefix', () => {
    expect(jsonOperation('AWSOrganizationsV20161128.ListRoots', 'AWSOrganizationsV20161128')).toBe('ListRoots');
    expect(jsonOperation('AWSStepFunctions.ListRoots', 'AWSOrganizationsV20161128')).toBeUndefined();
    expect(jsonOperation(undefined, 'X')).toBeUndefined();
  });

  it('sends dates as epoch seconds', () => {
    expect(encodeJson({ At: new Date(1500) })).toBe('{"At":1.5}');
  });

  it('rejects non-object bodies with SerializationException', () => {
    expect(() => decodeJsonBody('[1]')).toThrow(AwsServiceError);
    expect(() => decodeJsonBody('{')).toThrow(expect.objectContaining({ code: 'SerializationException' }));
    expect(decodeJsonBody('')).toEqual({});
  });

  it('encodes errors with __type, the error type header and extra members', () => {
    const e = encodeJsonError(new AwsErrorWithFields('ConstraintViolationException', 'no', { Reason: 'R' }));
    expect(e.status).toBe(400);
    expect(e.headers['x-amzn-errortype']).toBe('ConstraintViolationException');
    expect(JSON.parse(e.body)).toEqual({ __type: 'ConstraintViolationException', message: 'no', Reason: 'R' });
  });
});
