import { AwsServiceError } from '../../../core/types';
import type { Scope, Tag } from '../../ec2/model';
import { Ec2State } from '../../ec2/state';
import { type ResourceContext, ResourceFailure, stackTags, str } from '../resources';

/** What the EC2 resource providers (`ec2.ts`, `ec2-security-groups.ts`) share. */

/** The EC2 state and the scope of a resource's stack instance (its default VPC in place, as on AWS). */
export function ec2Of(ctx: ResourceContext): { state: Ec2State; scope: Scope } {
  const state = new Ec2State(ctx.runtime);
  return { state, scope: state.scopeOf(ctx.account, ctx.region) };
}

/** The template's tags and CloudFormation's, as EC2 stores them. */
export function tagsOf(ctx: ResourceContext, props: Record<string, unknown>): Tag[] {
  return stackTags(ctx, props.Tags).map((t) => ({ key: t.Key, value: t.Value }));
}

/** A property's schema violation, in CloudFormation's words. */
export function invalid(ctx: ResourceContext, message: string): ResourceFailure {
  return new ResourceFailure(`Properties validation failed for resource ${ctx.logicalId} with message: ${message}`);
}

/** A required string property. */
export function need(ctx: ResourceContext, props: Record<string, unknown>, name: string): string {
  const value = str(props, name);
  if (value === undefined) throw invalid(ctx, `#: required key [${name}] not found`);
  return value;
}

/** Runs a delete; a resource already gone (a `…NotFound` error) is not an error, as CloudFormation skips it. */
export function deleting(remove: () => void): void {
  try {
    remove();
  } catch (error) {
    if (!(error instanceof AwsServiceError && /NotFound$/.test(error.code))) throw error;
  }
}

/** Whether only `mutable` properties differ between the previous and the new properties (an in-place update). */
export function onlyChanged(
  props: Record<string, unknown>,
  previous: Record<string, unknown>,
  mutable: readonly string[],
): boolean {
  const names = new Set([...Object.keys(props), ...Object.keys(previous)]);
  return [...names].every((k) => mutable.includes(k) || JSON.stringify(props[k]) === JSON.stringify(previous[k]));
}
