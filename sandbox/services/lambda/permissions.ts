import type { SandboxRuntime } from '../../core/types';
import { type CompiledPolicy, parsePolicy } from '../../policy';
import {
  functionNotFound,
  invalidMember,
  invalidParameter,
  LambdaError,
  preconditionFailed,
  resourceConflict,
  resourceNotFound,
} from './errors';
import {
  type FunctionRecord,
  functionArn,
  getFunctionRecord,
  LATEST,
  type PolicyStatement,
  parseFunctionName,
  type Scope,
  scopeOf,
  updateFunction,
} from './model';

/**
 * A function's resource policy: `AddPermission`, `RemovePermission`, `GetPolicy`, and the compiled
 * policy that decides who may invoke the function (another account's principal, a service principal
 * such as `events.amazonaws.com` with `aws:SourceArn` the rule's ARN). Statements are built as Lambda
 * builds them: `Principal` `{ Service }` for `*.amazonaws.com`, `{ AWS: arn:aws:iam::<id>:root }` for an
 * account, conditions `ArnLike` `AWS:SourceArn`, `StringEquals` `AWS:SourceAccount`, `aws:PrincipalOrgID`,
 * `lambda:EventSourceToken`, `lambda:FunctionUrlAuthType`.
 */

const STATEMENT_ID = /^[a-zA-Z0-9-_]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const ALIAS = /^(?!\d+$)[a-zA-Z0-9-_]+$/;
const ACCOUNT = /^\d{12}$/;
/** The largest policy Lambda stores. */
export const POLICY_LIMIT = 20480;

const policyDocument = (fn: FunctionRecord) => ({ Version: '2012-10-17', Id: 'default', Statement: fn.Policy });

/** The error for a qualifier that names a version or alias (the sandbox has only `$LATEST`). */
function unknownQualifier(scope: Scope, name: string, qualifier: string): LambdaError {
  const arn = `${functionArn(scope, name)}:${qualifier}`;
  return ALIAS.test(qualifier) ? resourceNotFound(`Cannot find alias arn: ${arn}`) : functionNotFound(arn);
}

function principalOf(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (principal.endsWith('.amazonaws.com')) return { Service: principal };
  if (ACCOUNT.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:iam::\d{12}:/.test(principal)) return { AWS: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

const optional = (input: Record<string, unknown>, key: string): string | undefined =>
  typeof input[key] === 'string' && input[key] !== '' ? (input[key] as string) : undefined;

/** `AddPermission` (201): `{ Statement }`, the statement as JSON text. */
export function addPermission(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'AddPermission', input.Qualifier);
  if (ref.qualifier === LATEST) throw invalidParameter('We currently do not support adding policies for $LATEST.');
  const scope = scopeOf(ref, caller);
  const fn = getFunctionRecord(runtime, scope, ref.name);
  if (!fn) throw functionNotFound(functionArn(scope, ref.name));
  if (ref.qualifier !== undefined) throw unknownQualifier(scope, ref.name, ref.qualifier);
  const sid = input.StatementId;
  if (typeof sid !== 'string') throw invalidMember('statementId', undefined, 'Member must not be null');
  if (!STATEMENT_ID.test(sid)) {
    throw invalidMember('statementId', sid, 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)');
  }
  if (sid.length > 100) throw invalidMember('statementId', sid, 'Member must have length less than or equal to 100');
  const action = input.Action;
  if (typeof action !== 'string') throw invalidMember('action', undefined, 'Member must not be null');
  if (!ACTION.test(action)) {
    throw invalidMember(
      'action',
      action,
      'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])',
    );
  }
  if (typeof input.Principal !== 'string') throw invalidMember('principal', undefined, 'Member must not be null');
  if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.RevisionId) {
    throw preconditionFailed(
      'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id',
    );
  }
  if (fn.Policy.some((s) => s.Sid === sid)) {
    throw resourceConflict(
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined): void => {
    if (value !== undefined) condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'lambda:FunctionUrlAuthType', optional(input, 'FunctionUrlAuthType'));
  add('StringEquals', 'aws:PrincipalOrgID', optional(input, 'PrincipalOrgID'));
  add('StringEquals', 'AWS:SourceAccount', optional(input, 'SourceAccount'));
  add('StringEquals', 'lambda:EventSourceToken', optional(input, 'EventSourceToken'));
  add('ArnLike', 'AWS:SourceArn', optional(input, 'SourceArn'));
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: principalOf(input.Principal),
    Action: action,
    Resource: fn.FunctionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
  const next = { ...fn, Policy: [...fn.Policy, statement] };
  const size = JSON.stringify(policyDocument(next)).length;
  if (size > POLICY_LIMIT) {
    throw new LambdaError(
      'PolicyLengthExceededException',
      `The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`,
      { status: 400, messageKey: 'message', type: 'User' },
    );
  }
  updateFunction(runtime, fn, { Policy: next.Policy });
  return { Statement: JSON.stringify(statement) };
}

/** `RemovePermission` (204). */
export function removePermission(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>): void {
  const ref = parseFunctionName(input.FunctionName, 'RemovePermission', input.Qualifier);
  const scope = scopeOf(ref, caller);
  const fn = getFunctionRecord(runtime, scope, ref.name);
  if (!fn) throw resourceNotFound(`No policy found for: ${functionArn(scope, ref.name)}`);
  if (ref.qualifier !== undefined && ref.qualifier !== LATEST) throw unknownQualifier(scope, ref.name, ref.qualifier);
  if (fn.Policy.length === 0) throw resourceNotFound('No policy is associated with the given resource.');
  const sid = String(input.StatementId ?? '');
  if (!fn.Policy.some((s) => s.Sid === sid))
    throw resourceNotFound(`Statement ${sid} is not found in resource policy.`);
  if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.RevisionId) {
    throw preconditionFailed(
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    );
  }
  updateFunction(runtime, fn, { Policy: fn.Policy.filter((s) => s.Sid !== sid) });
}

/** `GetPolicy`: `{ Policy, RevisionId }`, the policy as JSON text. */
export function getPolicy(runtime: SandboxRuntime, caller: Scope, input: Record<string, unknown>) {
  const ref = parseFunctionName(input.FunctionName, 'GetPolicy', input.Qualifier);
  const scope = scopeOf(ref, caller);
  const fn = getFunctionRecord(runtime, scope, ref.name);
  const missing = resourceNotFound('The resource you requested does not exist.');
  if (!fn || (ref.qualifier !== undefined && ref.qualifier !== LATEST) || fn.Policy.length === 0) throw missing;
  return { Policy: JSON.stringify(policyDocument(fn)), RevisionId: fn.RevisionId };
}

const compiled = new Map<string, CompiledPolicy>();

/** The function's resource policy, compiled (cached by its text), or undefined when it has none. */
export function functionPolicy(fn: FunctionRecord): CompiledPolicy | undefined {
  if (fn.Policy.length === 0) return undefined;
  const text = JSON.stringify(policyDocument(fn));
  let policy = compiled.get(text);
  if (!policy) {
    policy = parsePolicy(text, 'resource', { kind: 'resource', name: `${fn.FunctionArn} policy` });
    if (compiled.size >= 500) compiled.clear();
    compiled.set(text, policy);
  }
  return policy;
}

/** The function's policy for a reference that names it, when the function exists. */
export function policyFor(runtime: SandboxRuntime, scope: Scope, name: string): CompiledPolicy | undefined {
  const fn = getFunctionRecord(runtime, scope, name);
  return fn ? functionPolicy(fn) : undefined;
}
