import { denialMessage, type Gatekeeper } from '../../core/auth';
import type { InternalAuthorization, Principal, SandboxRuntime } from '../../core/types';
import { authorize } from '../../policy';
import { accessDenied } from './errors';
import type { FunctionRecord } from './model';
import { functionPolicy } from './permissions';

/**
 * Who may call Lambda on a function: the one policy evaluator decides, with the function's resource
 * policy where Lambda supports one and the function's account (a principal of another account needs
 * the resource policy to allow it, and its own identity policies too). A service principal
 * (`events.amazonaws.com`) is allowed only by a statement of the resource policy that names it, its
 * conditions read against `aws:SourceArn` and `aws:SourceAccount`.
 */

/** The decision of a call: AWS's denial message (naming the caller's session), or undefined when allowed. */
export function denialOf(runtime: SandboxRuntime, call: InternalAuthorization): string | undefined {
  const gatekeeper = (runtime as { gatekeeper?: Gatekeeper }).gatekeeper;
  if (gatekeeper) {
    const denial = gatekeeper.decide(call);
    return denial ? denialMessage(call.principal.arn, denial) : undefined;
  }
  // runtimes that model no identities (unit tests) allow everything
  return runtime.authorize?.(call);
}

/** Throws `AccessDeniedException` (403) unless the principal may make the call. */
export function authorizeCall(runtime: SandboxRuntime, call: InternalAuthorization): void {
  const denial = denialOf(runtime, call);
  if (denial) throw accessDenied(denial);
}

/** A principal invoking a function (`lambda:InvokeFunction` on `resource`, the ARN it invoked by). */
export function authorizeInvoke(
  runtime: SandboxRuntime,
  principal: Principal,
  fn: FunctionRecord,
  resource: string,
  region: string,
): void {
  const policy = functionPolicy(fn);
  authorizeCall(runtime, {
    principal,
    action: 'lambda:InvokeFunction',
    resources: [resource],
    region,
    ...(policy ? { resourcePolicy: policy } : {}),
    resourceAccountId: fn.account,
  });
}

/** A service principal invoking a function on its own behalf (an EventBridge rule, an S3 bucket…). */
export function authorizeServiceInvoke(
  fn: FunctionRecord,
  resource: string,
  service: string,
  source: { readonly sourceArn?: string; readonly sourceAccount?: string },
): void {
  const policy = functionPolicy(fn);
  const decision = policy
    ? authorize(
        { scpLevels: [], identity: [], resourcePolicy: policy, resourceAccountId: fn.account },
        {
          action: 'lambda:InvokeFunction',
          resource,
          principal: { arn: service, accountId: '', service },
          context: {
            ...(source.sourceArn !== undefined ? { 'aws:SourceArn': source.sourceArn } : {}),
            ...(source.sourceAccount !== undefined ? { 'aws:SourceAccount': source.sourceAccount } : {}),
          },
        },
      )
    : undefined;
  if (!decision?.allowed) {
    const why =
      decision?.denial === 'explicit'
        ? 'with an explicit deny in a resource-based policy'
        : 'because no resource-based policy allows the lambda:InvokeFunction action';
    throw accessDenied(
      `User: ${service} is not authorized to perform: lambda:InvokeFunction on resource: ${resource} ${why}`,
    );
  }
}
