/**
 * The one list of every Lambda function. The build (one esbuild bundle per entry), the CDK app
 * (one `NodejsFunction` each, with a role made from `actions`) and the sandbox (in-process
 * invocation) all read it, so what runs locally is what deploys.
 */

/** How a function is invoked. */
export type FunctionTrigger =
  | {
      /** A Task state of a state machine in `statemachines/`; the ASL names it `${<placeholder>}`. */
      readonly kind: 'stateMachine';
      readonly stateMachine: string;
      readonly placeholder: string;
    }
  | {
      /** An EventBridge rule in `events/rules/`. */
      readonly kind: 'rule';
      readonly rules: readonly string[];
    }
  | {
      /** A schedule (EventBridge Scheduler / rule schedule expression). */
      readonly kind: 'schedule';
      readonly expression: string;
    }
  | {
      /** Invoked synchronously by a CLI command, which shows its result. */
      readonly kind: 'cli';
      readonly command: string;
    };

export interface FunctionSpec {
  /** kebab-case; also the folder under `functions/`. */
  readonly name: string;
  /** Path of the handler module relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly trigger: FunctionTrigger;
  /** IAM actions the function needs in the hub account; the CDK role is made from these. */
  readonly actions: readonly string[];
  /** Whether it assumes a role in member accounts (`sts:AssumeRole` on the remediation role). */
  readonly assumesMemberRole?: boolean;
  /**
   * Whether it assumes the network account's operator role (`network.operatorRoleName`, which
   * trusts exactly these functions' roles); it gets the network account's id in its environment.
   */
  readonly assumesNetworkRole?: boolean;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memoryMb?: number;
}

/** What every guardrail needs in the hub: record findings, and claim events / count actions in the state table. */
const GUARDRAIL_ACTIONS = [
  'events:PutEvents',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

const vending = (placeholder: string) =>
  ({ kind: 'stateMachine', stateMachine: 'account-vending', placeholder }) as const;

/** Every function of vendguard. Order is the order of the docs and the build output. */
export const FUNCTIONS = [
  {
    name: 'vend-start',
    entry: 'functions/vend-start/app.ts',
    description: 'Starts one vending execution per account request, named from its request id',
    trigger: { kind: 'rule', rules: ['account-request'] },
    actions: ['states:StartExecution', 'events:PutEvents'],
  },
  {
    name: 'vend-validate-request',
    entry: 'functions/vend-validate-request/app.ts',
    description: 'Validates an account request against the organization config and computes the vending plan',
    trigger: vending('ValidateRequestFunctionArn'),
    actions: [
      // an enrollment's account: in the organization, ACTIVE, the email given
      'organizations:DescribeAccount',
      'organizations:ListAccounts',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListTagsForResource',
    ],
  },
  {
    name: 'vend-request-approval',
    entry: 'functions/vend-request-approval/app.ts',
    description:
      'Records the task token of a request for an approval-required OU and announces it; vendguard approve/reject answers',
    trigger: vending('RequestApprovalFunctionArn'),
    actions: ['dynamodb:PutItem', 'events:PutEvents'],
  },
  {
    name: 'vend-create-account',
    entry: 'functions/vend-create-account/app.ts',
    description: 'Creates the account for a request, or adopts the one already created for it',
    trigger: vending('CreateAccountFunctionArn'),
    actions: [
      'organizations:CreateAccount',
      'organizations:ListAccounts',
      'organizations:ListTagsForResource',
      'organizations:ListCreateAccountStatus',
      'organizations:DescribeCreateAccountStatus',
    ],
  },
  {
    name: 'vend-check-account-status',
    entry: 'functions/vend-check-account-status/app.ts',
    description: 'Reports the state of an asynchronous CreateAccount request',
    trigger: vending('CheckAccountStatusFunctionArn'),
    actions: [
      'organizations:DescribeCreateAccountStatus',
      // a request AWS no longer knows is found again by listing the creations (shared/vending/adopt.ts)
      'organizations:ListCreateAccountStatus',
      'organizations:ListAccounts',
      'organizations:ListTagsForResource',
    ],
  },
  {
    name: 'vend-govern-account',
    entry: 'functions/vend-govern-account/app.ts',
    description: 'Quarantines, moves, tags, attaches SCPs and releases quarantine (one action per call)',
    trigger: vending('GovernAccountFunctionArn'),
    actions: [
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListParents',
      'organizations:MoveAccount',
      'organizations:TagResource',
      'organizations:ListPolicies',
      'organizations:ListPoliciesForTarget',
      'organizations:AttachPolicy',
      'organizations:DetachPolicy',
    ],
  },
  {
    name: 'vend-deploy-baseline',
    entry: 'functions/vend-deploy-baseline/app.ts',
    description: 'Deploys the baseline stack sets to the new account only and reports the operation status',
    trigger: vending('DeployBaselineFunctionArn'),
    actions: [
      'cloudformation:CreateStackInstances',
      'cloudformation:DescribeStackSetOperation',
      'cloudformation:ListStackSetOperationResults',
    ],
    // the network stack set's instances get the OU's pool and the gateway, found in the network account
    assumesNetworkRole: true,
  },
  {
    name: 'vend-connect-network',
    entry: 'functions/vend-connect-network/app.ts',
    description:
      "Associates the new account's Transit Gateway attachment with its environment's route table and propagates it",
    trigger: vending('ConnectNetworkFunctionArn'),
    actions: [],
    assumesNetworkRole: true,
  },
  {
    name: 'account-close',
    entry: 'functions/account-close/app.ts',
    description:
      'Closes an account step by step: validate, move to the suspended OU, remove its stack instances, CloseAccount, announce',
    trigger: { kind: 'stateMachine', stateMachine: 'account-closing', placeholder: 'CloseAccountFunctionArn' },
    actions: [
      'organizations:DescribeAccount',
      'organizations:DescribeOrganizationalUnit',
      'organizations:ListParents',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:MoveAccount',
      'organizations:CloseAccount',
      'cloudformation:ListStackInstances',
      'cloudformation:DeleteStackInstances',
      'cloudformation:DescribeStackSetOperation',
      'cloudformation:ListStackSetOperationResults',
      'events:PutEvents',
    ],
  },
  {
    name: 'network-converge',
    entry: 'functions/network-converge/app.ts',
    description:
      "Deploys the egress and bastion VPCs (their stack sets, with the gateway) and wires the gateway's core routes",
    trigger: { kind: 'cli', command: 'vendguard network converge' },
    actions: ['cloudformation:CreateStackInstances', 'cloudformation:DescribeStackInstance'],
    assumesNetworkRole: true,
    timeoutSeconds: 60,
  },
  {
    name: 'vend-announce',
    entry: 'functions/vend-announce/app.ts',
    description: 'Puts a vending outcome on the bus (Account Vended / Failed); notify-slack posts it',
    trigger: vending('AnnounceFunctionArn'),
    actions: ['events:PutEvents'],
  },
  {
    name: 'guard-internet-gateway',
    entry: 'functions/guard-internet-gateway/app.ts',
    description: 'Detaches and deletes Internet Gateways created or attached in service accounts',
    trigger: { kind: 'rule', rules: ['igw-created', 'igw-attached'] },
    actions: [...GUARDRAIL_ACTIONS, 'organizations:ListAccounts'],
    assumesMemberRole: true,
  },
  {
    name: 'guard-security-group',
    entry: 'functions/guard-security-group/app.ts',
    description: 'Revokes security group ingress rules open to 0.0.0.0/0 or ::/0',
    trigger: { kind: 'rule', rules: ['sg-open-ingress'] },
    actions: [...GUARDRAIL_ACTIONS, 'organizations:ListAccounts'],
    assumesMemberRole: true,
  },
  {
    name: 'guard-production-ingress',
    entry: 'functions/guard-production-ingress/app.ts',
    description: 'Revokes ingress on management ports of production accounts from anywhere but the bastion range',
    trigger: { kind: 'rule', rules: ['prod-ingress-outside-bastion'] },
    actions: [
      ...GUARDRAIL_ACTIONS,
      'organizations:ListAccounts',
      'organizations:ListParents',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
    ],
    assumesMemberRole: true,
  },
  {
    name: 'guard-cloudtrail',
    entry: 'functions/guard-cloudtrail/app.ts',
    description: 'Restarts logging of a stopped or tampered trail where possible and alerts',
    trigger: { kind: 'rule', rules: ['trail-tampered'] },
    actions: [...GUARDRAIL_ACTIONS, 'organizations:ListAccounts'],
    assumesMemberRole: true,
  },
  {
    name: 'guard-s3-public-access',
    entry: 'functions/guard-s3-public-access/app.ts',
    description: 'Restores the account S3 public access block when it is removed or weakened',
    trigger: { kind: 'rule', rules: ['s3-public-access-weakened'] },
    actions: [...GUARDRAIL_ACTIONS, 'organizations:ListAccounts'],
    assumesMemberRole: true,
  },
  {
    name: 'guard-alert',
    entry: 'functions/guard-alert/app.ts',
    description:
      'Records and alerts on events that are never remediated (tampering with vendguard or the organization, denied attempts, leaving the org)',
    trigger: {
      kind: 'rule',
      rules: ['vendguard-tampering', 'organization-tampering', 'leave-organization', 'denied-attempts'],
    },
    actions: GUARDRAIL_ACTIONS,
  },
  {
    name: 'guard-reconcile',
    entry: 'functions/guard-reconcile/app.ts',
    description: 'Sweeps member accounts for violations the events missed and remediates them the same way',
    trigger: { kind: 'schedule', expression: 'rate(6 hours)' },
    actions: [...GUARDRAIL_ACTIONS, 'organizations:ListAccounts'],
    assumesMemberRole: true,
    timeoutSeconds: 900,
  },
  {
    name: 'notify-slack',
    entry: 'functions/notify-slack/app.ts',
    description: 'Posts guardrail findings and vending outcomes from the bus to Slack',
    trigger: { kind: 'rule', rules: ['notify-slack'] },
    actions: [
      'secretsmanager:GetSecretValue',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
  },
] as const satisfies readonly FunctionSpec[];

export type FunctionName = (typeof FUNCTIONS)[number]['name'];

/** Looks a function up by name; throws on an unknown name. */
export function functionSpec(name: string): FunctionSpec {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (!spec) throw new Error(`unknown function "${name}"; known: ${FUNCTIONS.map((f) => f.name).join(', ')}`);
  return spec;
}
