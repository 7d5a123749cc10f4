/**
 * The sandbox's one IAM policy evaluator: {@link parsePolicy} validates and compiles a document once,
 * {@link evaluatePolicy} evaluates one policy, {@link authorize} and {@link authorizeTrust} decide a
 * request across SCPs, identity, resource and trust policies as AWS does.
 */
export { MalformedPolicyError, PolicyError } from './errors';
export { authorize, authorizeTrust, evaluatePolicy } from './evaluate';
export { parsePolicy } from './parse';
export type {
  AuthorizationInput,
  AuthPrincipal,
  AuthRequest,
  CompiledPolicy,
  CompiledStatement,
  ContextValue,
  Decision,
  Effect,
  PolicyKind,
  PolicySource,
  PrincipalMatch,
} from './types';
