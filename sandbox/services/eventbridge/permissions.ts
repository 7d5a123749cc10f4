/**
 * Bus resource policies: `PutPermission` / `RemovePermission`, and the compiled policy that decides a
 * cross-account `PutEvents` (a direct call, or a rule whose target is another account's bus).
 */

import type { OperationHandler, SandboxRuntime } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import type { CompiledPolicy } from '../../policy';
import { MalformedPolicyError, parsePolicy } from '../../policy';
import { type BusRecord, callScope, keys, notFound, optionalString, TABLES, validation } from './model';
import { existingBus } from './rules';

const STATEMENT_ID = /^[a-zA-Z0-9-_]{1,64}$/;
const PRINCIPAL = /^(\d{12}|\*)$/;

interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

function documentOf(bus: BusRecord): PolicyDocument {
  if (!bus.Policy) return { Version: '2012-10-17', Statement: [] };
  const parsed = JSON.parse(bus.Policy) as PolicyDocument;
  return { Version: parsed.Version ?? '2012-10-17', Statement: [...(parsed.Statement ?? [])] };
}

/** Sets (or, with an empty statement list, removes) a bus's resource policy. */
export function setBusPolicy(runtime: SandboxRuntime, bus: BusRecord, document: PolicyDocument | undefined): BusRecord {
  const { Policy: _old, ...rest } = bus;
  const next: BusRecord =
    document && document.Statement.length > 0 ? { ...rest, Policy: JSON.stringify(document) } : rest;
  runtime.store.put(TABLES.buses, keys.bus(bus, bus.Name), next);
  return next;
}

/** The bus's resource policy, compiled (undefined when it has none). */
export function busPolicy(bus: BusRecord): CompiledPolicy | undefined {
  if (!bus.Policy) return undefined;
  return parsePolicy(bus.Policy, 'resource', { kind: 'resource', name: `${bus.Arn} policy` });
}

function checkPolicy(text: string): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw validation('This policy contains invalid Json');
  }
  try {
    parsePolicy(text, 'resource', { kind: 'resource', name: 'Policy' });
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw validation(error.message);
    throw error;
  }
  const statements = (doc as { Statement?: unknown }).Statement;
  return {
    Version: String((doc as { Version?: unknown }).Version ?? '2012-10-17'),
    Statement: (Array.isArray(statements) ? statements : [statements]) as Record<string, unknown>[],
  };
}

/** `PutPermission` and `RemovePermission`, on a bus of the caller's account and region. */
export function permissionOperations(runtime: SandboxRuntime): Record<string, OperationHandler> {
  return {
    PutPermission(input, ctx) {
      const bus = existingBus(runtime, callScope(ctx), input.EventBusName);
      const policy = optionalString(input, 'Policy');
      if (policy !== undefined) {
        setBusPolicy(runtime, bus, checkPolicy(policy));
        return {};
      }
      const principal = optionalString(input, 'Principal');
      const condition = input.Condition as { Type?: unknown; Key?: unknown; Value?: unknown } | undefined;
      if (principal === undefined) throw validation('Parameter Principal must be specified.');
      if (condition && principal !== '*') {
        throw new AwsServiceError(
          'InvalidParameterValue',
          "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.",
        );
      }
      if (!PRINCIPAL.test(principal)) {
        throw new AwsServiceError(
          'InvalidParameterValue',
          `Value ${principal} at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)`,
        );
      }
      if (optionalString(input, 'Action') !== 'events:PutEvents') {
        throw validation("Provided value in parameter 'action' is not supported.");
      }
      const sid = optionalString(input, 'StatementId');
      if (sid === undefined || !STATEMENT_ID.test(sid)) {
        throw new AwsServiceError('InvalidParameterValue', 'StatementId must match ^[a-zA-Z0-9-_]{1,64}$');
      }
      if (
        condition &&
        (condition.Type !== 'StringEquals' ||
          condition.Key !== 'aws:PrincipalOrgID' ||
          typeof condition.Value !== 'string')
      ) {
        throw validation(
          'Condition must be { Type: StringEquals, Key: aws:PrincipalOrgID, Value: <organization id> }.',
        );
      }
      const statement: Record<string, unknown> = {
        Sid: sid,
        Effect: 'Allow',
        Principal: principal === '*' ? '*' : { AWS: `arn:aws:iam::${principal}:root` },
        Action: 'events:PutEvents',
        Resource: bus.Arn,
        ...(condition ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': condition.Value } } } : {}),
      };
      const doc = documentOf(bus);
      doc.Statement = [...doc.Statement.filter((s) => s.Sid !== sid), statement];
      setBusPolicy(runtime, bus, doc);
      return {};
    },

    RemovePermission(input, ctx) {
      const bus = existingBus(runtime, callScope(ctx), input.EventBusName);
      if (input.RemoveAllPermissions === true) {
        setBusPolicy(runtime, bus, undefined);
        return {};
      }
      if (!bus.Policy) throw notFound('EventBus does not have a policy.');
      const sid = optionalString(input, 'StatementId');
      const doc = documentOf(bus);
      const kept = doc.Statement.filter((s) => s.Sid !== sid);
      if (kept.length === doc.Statement.length) throw notFound('Statement with the provided id does not exist.');
      setBusPolicy(runtime, bus, { ...doc, Statement: kept });
      return {};
    },
  };
}
