import { optionalString, requiredString } from '../../core/protocols/input';
import type { LocalRuntime } from '../../core/runtime';
import type { OperationHandler } from '../../core/types';
import { parsePolicy } from '../../policy';
import { paginate } from './accounts';
import { constraintViolation, invalidInput, type OrgState, orgError, type PolicyRecord, SCP, T } from './model';

/**
 * Service control policies: create/update/describe/list/delete, attach/detach with AWS's limits
 * (5,120 characters of content not counting white space; `scpQuotaPerTarget` attached SCPs per
 * target, FullAWSAccess included; at least one SCP stays attached).
 */

/** The organization policy types (the `PolicyType` enum of the API). */
export const POLICY_TYPES: readonly string[] = [
  SCP,
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'RESOURCE_CONTROL_POLICY',
  'DECLARATIVE_POLICY_EC2',
  'CHATBOT_POLICY',
];

/** AWS's answer to attaching a policy of a type the root has not enabled. */
export const policyTypeNotEnabled = () =>
  orgError('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');

/** AWS's maximum SCP size, white space excluded. */
export const MAX_SCP_CHARS = 5120;

const summary = (p: PolicyRecord) => ({
  Id: p.Id,
  Arn: p.Arn,
  Name: p.Name,
  Description: p.Description,
  Type: p.Type,
  AwsManaged: p.AwsManaged,
});

function checkContent(content: string): void {
  try {
    // the one evaluator validates SCP grammar (and caches the compiled document for authorization)
    parsePolicy(content, 'scp', { kind: 'scp', name: 'new policy' });
  } catch (err) {
    throw orgError(
      'MalformedPolicyDocumentException',
      `The provided policy document does not meet the requirements of the specified policy type. ${(err as Error).message}`,
    );
  }
  const size = content.replace(/\s/g, '').length;
  if (size > MAX_SCP_CHARS) {
    throw constraintViolation(
      'POLICY_CONTENT_LIMIT_EXCEEDED',
      `The policy is ${size} characters without white space; the limit for a service control policy is ${MAX_SCP_CHARS}`,
    );
  }
}

export function policyOperations(state: OrgState, runtime: LocalRuntime): Record<string, OperationHandler> {
  const mustPolicy = (id: string): PolicyRecord => {
    const p = state.policy(id);
    if (!p)
      throw orgError('PolicyNotFoundException', `We can't find a policy with the PolicyId that you specified: ${id}`);
    return p;
  };
  const mustTarget = (id: string): void => {
    if (!state.isTarget(id))
      throw orgError(
        'TargetNotFoundException',
        `We can't find a root, OU, or account with the TargetId that you specified: ${id}`,
      );
  };
  const mustType = (type: string): void => {
    if (!POLICY_TYPES.includes(type)) throw invalidInput('INVALID_ENUM', `Unknown policy type ${type}`);
  };
  return {
    CreatePolicy: (input) => {
      const name = requiredString(input, 'Name');
      const content = requiredString(input, 'Content');
      const description = requiredString(input, 'Description');
      const type = requiredString(input, 'Type');
      mustType(type);
      if (type !== SCP)
        throw orgError(
          'PolicyTypeNotEnabledException',
          `The policy type ${type} is not enabled in this sandbox organization`,
        );
      checkContent(content);
      if (state.policies().some((p) => p.Name === name && p.Type === type)) {
        throw orgError('DuplicatePolicyException', `A policy with the name ${name} already exists`);
      }
      const m = state.meta();
      const id = `p-${runtime.generator.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
      const policy: PolicyRecord = {
        Id: id,
        Arn: `arn:aws:organizations::${m.masterAccountId}:policy/${m.id}/service_control_policy/${id}`,
        Name: name,
        Description: description,
        Type: type,
        AwsManaged: false,
        Content: content,
      };
      runtime.store.put(T.policies, id, policy);
      return { Policy: { PolicySummary: summary(policy), Content: content } };
    },
    UpdatePolicy: (input) => {
      const policy = mustPolicy(requiredString(input, 'PolicyId'));
      if (policy.AwsManaged)
        throw orgError('PolicyChangesInProgressException', 'AWS managed policies cannot be changed');
      const content = optionalString(input, 'Content');
      const name = optionalString(input, 'Name');
      const description = optionalString(input, 'Description');
      if (content !== undefined) checkContent(content);
      if (name !== undefined && name !== policy.Name && state.policies().some((p) => p.Name === name)) {
        throw orgError('DuplicatePolicyException', `A policy with the name ${name} already exists`);
      }
      const updated: PolicyRecord = {
        ...policy,
        ...(content !== undefined ? { Content: content } : {}),
        ...(name !== undefined ? { Name: name } : {}),
        ...(description !== undefined ? { Description: description } : {}),
      };
      runtime.store.put(T.policies, policy.Id, updated);
      state.touch();
      return { Policy: { PolicySummary: summary(updated), Content: updated.Content } };
    },
    DescribePolicy: (input) => {
      const policy = mustPolicy(requiredString(input, 'PolicyId'));
      return { Policy: { PolicySummary: summary(policy), Content: policy.Content } };
    },
    ListPolicies: (input) => {
      const filter = requiredString(input, 'Filter');
      mustType(filter);
      const { page, NextToken } = paginate(
        state.policies().filter((p) => p.Type === filter),
        input,
      );
      return { Policies: page.map(summary), ...(NextToken ? { NextToken } : {}) };
    },
    DeletePolicy: (input) => {
      const policy = mustPolicy(requiredString(input, 'PolicyId'));
      if (policy.AwsManaged) throw orgError('AccessDeniedException', 'AWS managed policies cannot be deleted');
      if (state.attachments().some((a) => a.policyId === policy.Id)) {
        throw orgError(
          'PolicyInUseException',
          `The policy ${policy.Id} is attached to one or more entities; detach it first`,
        );
      }
      runtime.store.delete(T.policies, policy.Id);
      return {};
    },
    AttachPolicy: (input) => {
      const policyId = requiredString(input, 'PolicyId');
      const targetId = requiredString(input, 'TargetId');
      const policy = mustPolicy(policyId);
      mustTarget(targetId);
      if (state.attached(policyId, targetId)) {
        throw orgError(
          'DuplicatePolicyAttachmentException',
          `The policy ${policyId} is already attached to ${targetId}`,
        );
      }
      if (!state.policyTypeEnabled(policy.Type)) throw policyTypeNotEnabled();
      checkContent(policy.Content);
      const quota = runtime.config.organization.scpQuotaPerTarget;
      const count = state
        .attachments()
        .filter((a) => a.targetId === targetId && state.policy(a.policyId)?.Type === policy.Type).length;
      if (count >= quota) {
        throw constraintViolation(
          'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
          `You have attached the maximum number of policies of type ${policy.Type} (${quota}) to ${targetId}`,
        );
      }
      state.attach(policyId, targetId);
      return {};
    },
    DetachPolicy: (input) => {
      const policyId = requiredString(input, 'PolicyId');
      const targetId = requiredString(input, 'TargetId');
      const policy = mustPolicy(policyId);
      mustTarget(targetId);
      if (!state.attached(policyId, targetId)) {
        throw orgError('PolicyNotAttachedException', `The policy ${policyId} is not attached to ${targetId}`);
      }
      const count = state
        .attachments()
        .filter((a) => a.targetId === targetId && state.policy(a.policyId)?.Type === policy.Type).length;
      if (policy.Type === SCP && count <= 1) {
        throw constraintViolation(
          'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
          `${targetId} must keep at least one service control policy attached`,
        );
      }
      state.detach(policyId, targetId);
      return {};
    },
    ListPoliciesForTarget: (input) => {
      const targetId = requiredString(input, 'TargetId');
      const filter = requiredString(input, 'Filter');
      mustTarget(targetId);
      const policies = state
        .attachments()
        .filter((a) => a.targetId === targetId)
        .map((a) => state.policy(a.policyId))
        .filter((p): p is PolicyRecord => p !== undefined && p.Type === filter);
      const { page, NextToken } = paginate(policies, input);
      return { Policies: page.map(summary), ...(NextToken ? { NextToken } : {}) };
    },
    ListTargetsForPolicy: (input) => {
      const policyId = requiredString(input, 'PolicyId');
      mustPolicy(policyId);
      const targets = state
        .attachments()
        .filter((a) => a.policyId === policyId)
        .map((a) => {
          const account = state.account(a.targetId);
          const ou = state.ou(a.targetId);
          const m = state.meta();
          if (account) return { TargetId: account.Id, Arn: account.Arn, Name: account.Name, Type: 'ACCOUNT' };
          if (ou) return { TargetId: ou.Id, Arn: ou.Arn, Name: ou.Name, Type: 'ORGANIZATIONAL_UNIT' };
          return { TargetId: m.rootId, Arn: m.rootArn, Name: 'Root', Type: 'ROOT' };
        });
      const { page, NextToken } = paginate(targets, input);
      return { Targets: page, ...(NextToken ? { NextToken } : {}) };
    },
  };
}
