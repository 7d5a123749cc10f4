import { requiredString } from '../../core/protocols/input';
import type { OperationHandler } from '../../core/types';
import { rootPolicyTypes } from './accounts';
import { FULL_AWS_ACCESS_ID, invalidInput, type OrgState, orgError, SCP, T } from './model';
import { POLICY_TYPES, policyTypeNotEnabled } from './policies';

/**
 * `EnablePolicyType` and `DisablePolicyType` in the root, as AWS does them: disabling a type detaches
 * every policy of it from every root, OU and account (the policies stay); re-enabling SCPs attaches
 * only `FullAWSAccess`, everywhere. While SCPs are disabled none applies (see `scpPath`) and none
 * can be attached (`PolicyTypeNotEnabledException`).
 * (docs.aws.amazon.com/organizations/latest/userguide/disable-policy-type.html)
 */
export function policyTypeOperations(state: OrgState): Record<string, OperationHandler> {
  const request = (input: Record<string, unknown>): { rootId: string; type: string } => {
    const rootId = requiredString(input, 'RootId');
    const type = requiredString(input, 'PolicyType');
    if (!POLICY_TYPES.includes(type)) {
      throw invalidInput('INVALID_ENUM', `Value '${type}' at 'policyType' failed to satisfy the enum constraint`);
    }
    if (rootId !== state.meta().rootId)
      throw orgError('RootNotFoundException', "You specified a root that doesn't exist.");
    return { rootId, type };
  };
  const root = () => {
    const m = state.meta();
    return { Root: { Id: m.rootId, Arn: m.rootArn, Name: 'Root', PolicyTypes: rootPolicyTypes(state) } };
  };
  return {
    EnablePolicyType: (input) => {
      const { type } = request(input);
      if (state.policyTypeEnabled(type)) {
        throw orgError('PolicyTypeAlreadyEnabledException', 'The specified policy type is already enabled.');
      }
      state.store.transaction(() => {
        state.setEnabledPolicyTypes([...state.enabledPolicyTypes(), type]);
        if (type !== SCP) return;
        const m = state.meta();
        for (const id of [m.rootId, ...state.ous().map((o) => o.Id), ...state.accounts().map((a) => a.Id)]) {
          state.attach(FULL_AWS_ACCESS_ID, id);
        }
      });
      return root();
    },
    DisablePolicyType: (input) => {
      const { type } = request(input);
      if (!state.policyTypeEnabled(type)) throw policyTypeNotEnabled();
      state.store.transaction(() => {
        for (const a of state.attachments()) {
          if (state.policy(a.policyId)?.Type === type) state.store.delete(T.attachments, `${a.policyId}|${a.targetId}`);
        }
        state.setEnabledPolicyTypes(state.enabledPolicyTypes().filter((t) => t !== type));
      });
      return root();
    },
  };
}
