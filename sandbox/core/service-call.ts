import type { CompiledPolicy } from '../policy';
import { authorize } from '../policy';
import { denialMessage } from './auth';
import type { SandboxRuntime } from './types';

/**
 * Whether an AWS service principal may act on a resource for a resource of another service (SNS
 * delivering to a queue, CloudWatch publishing to a topic): only the resource's policy can admit a
 * service principal, matched against `aws:SourceArn` / `aws:SourceAccount`. Services reach each other
 * over TLS, so `aws:SecureTransport` is true. Returns AWS's denial message, or undefined when allowed.
 */
export function serviceCallDenial(
  runtime: SandboxRuntime,
  call: {
    readonly service: string;
    readonly action: string;
    readonly resource: { readonly arn: string; readonly account: string; readonly region: string };
    readonly policy: CompiledPolicy | undefined;
    readonly sourceArn?: string;
    readonly sourceAccount?: string;
  },
): string | undefined {
  const { service, action, resource, policy } = call;
  const sourceAccount = call.sourceAccount ?? (call.sourceArn?.split(':')[4] || undefined);
  const decision = authorize(
    { scpLevels: [], identity: [], ...(policy ? { resourcePolicy: policy } : {}), resourceAccountId: resource.account },
    {
      action,
      resource: resource.arn,
      principal: { arn: service, accountId: sourceAccount ?? resource.account, service },
      context: {
        'aws:SecureTransport': true,
        'aws:PrincipalServiceName': service,
        'aws:RequestedRegion': resource.region,
        'aws:CurrentTime': runtime.clock.now().toISOString(),
        'aws:SourceArn': call.sourceArn,
        'aws:SourceAccount': sourceAccount,
        'aws:SourceOwner': sourceAccount,
      },
    },
  );
  if (decision.allowed) return undefined;
  // a service principal is only ever admitted by the resource's policy: say so when there is none
  const why = policy ? decision : { ...decision, deniedBy: 'resource' as const };
  return denialMessage(service, { decision: why, action, resource: resource.arn });
}
