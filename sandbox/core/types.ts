/**
 * The contract between the sandbox server and the AWS services it emulates. A service is a
 * plain object of operation handlers; the server decodes the wire protocol into a JS input,
 * calls the handler, and encodes the result (or an {@link AwsServiceError}) back, so a service
 * never sees HTTP. The server also emits the CloudTrail event of every mutating call.
 */
import type { OrganizationConfig } from '../../config/schema';
import type { CompiledPolicy } from '../policy/types';

/** Wire protocols the sandbox speaks. */
export type Protocol = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query';

/** Who made a request: resolved from the SigV4 access key. */
export interface Principal {
  readonly accountId: string;
  /** `arn:aws:iam::…:user/x`, `arn:aws:sts::…:assumed-role/Role/session`, `arn:aws:iam::…:root`. */
  readonly arn: string;
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole';
  /** AIDA…/AROA…:session */
  readonly principalId: string;
  readonly accessKeyId: string;
  /** For an assumed role: the role ARN (`arn:aws:iam::…:role/Role`). */
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  /** For a role session: when its credentials were issued (CloudTrail's `sessionContext.attributes.creationDate`). */
  readonly sessionIssuedAt?: string;
}

/** Persistent document store (SQLite). Values are JSON; ids are unique per table. */
export interface Store {
  get<T>(table: string, id: string): T | undefined;
  put<T>(table: string, id: string, value: T): void;
  /** Inserts only if absent; returns false when the id exists. */
  insert<T>(table: string, id: string, value: T): boolean;
  delete(table: string, id: string): boolean;
  /** All values of a table in insertion order; `prefix` filters ids. */
  list<T>(table: string, prefix?: string): T[];
  count(table: string, prefix?: string): number;
  /** Runs `fn` atomically (synchronous). */
  transaction<T>(fn: () => T): T;
  /** A monotonically increasing counter, persisted. */
  nextSequence(name: string): number;
}

/**
 * The sandbox's clock: simulated time runs at real speed (computing counts at 1×) and `scale` times
 * faster while a modelled wait is pending, so a 4-minute `CreateAccount` takes 0.4 s at scale 600.
 * Services compute due times in simulated milliseconds, announce each modelled wait with
 * `holdUntil`, and compare against `now()`.
 */
export interface Clock {
  /** Simulated now. */
  now(): Date;
  nowMs(): number;
  /** Simulated seconds per real second while a modelled wait is pending. */
  readonly scale: number;
  /** A modelled wait (account creation, stack operation) until this simulated time: time runs `scale`× until then. */
  holdUntil(simulatedMs: number): void;
  /** A modelled wait of `simulatedMs`: resolves when it has passed. */
  sleep(simulatedMs: number): Promise<void>;
  /** Real milliseconds that `simulatedMs` take at the current pace (for timers toward a held due time). */
  toRealMs(simulatedMs: number): number;
}

/** An event on the sandbox bus, in the EventBridge envelope shape. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** What an event entry put on the bus looks like before the bus stamps id/time. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources?: readonly string[];
  readonly account: string;
  readonly region: string;
  readonly eventBusName?: string;
  readonly time?: Date;
}

/** The bus as other services see it (EventBridge implements it). */
export interface EventBus {
  /** Archives and routes an event to matching rules' targets; returns the event id. */
  publish(entry: BusEntry): string;
}

/** A Lambda function the sandbox runs in-process. */
export interface FunctionInvoker {
  /** Invokes a manifest function by name with an event; resolves to its result or rejects with its error. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** The ARN the sandbox gives a manifest function. */
  functionArn(functionName: string): string;
}

/** State machines as other services see them (Step Functions implements it). */
export interface StateMachineStarter {
  /**
   * Starts an execution like `StartExecution`; an existing execution of the same name with the same
   * input is returned (idempotent, as in AWS), another input gives `ExecutionAlreadyExists`.
   */
  startExecution(
    stateMachineArn: string,
    input: string,
    name?: string,
  ): Promise<{ executionArn: string; startDate: Date }>;
}

/** Read-only view of the organization for other services (Organizations implements it). */
export interface OrganizationView {
  readonly rootId: string;
  /** `o-…` */
  readonly organizationId: string;
  /**
   * The SCPs that bind an account, one level per step of its path: the root, each OU down to the
   * account's parent, then the account itself (empty for an account not in the organization).
   */
  scpPath(accountId: string): { readonly targetId: string; readonly policies: { id: string; content: string }[] }[];
  /** ACTIVE account ids directly in an OU or root, and in every OU below it. */
  accountIdsUnder(parentId: string): string[];
  accountExists(accountId: string): boolean;
  /** The id of the OU with this path (`Workloads/Prod`), or undefined. */
  ouIdByPath(path: string): string | undefined;
  /** Account id of a config account name (`egress`) or undefined. */
  accountIdByName(name: string): string | undefined;
}

/** Faults configured for an operation (see `sandbox/core/faults.ts`). */
export interface FaultDecision {
  readonly error?: { readonly code: string; readonly message: string; readonly status: number };
  readonly latencyMs?: number;
}

/** Everything a service can reach. */
export interface SandboxRuntime {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: OrganizationConfig;
  readonly bus: EventBus;
  readonly functions: FunctionInvoker;
  readonly stateMachines: StateMachineStarter;
  /** Looks up a principal by access key id. */
  principalFor(accessKeyId: string): Principal | undefined;
  /** Registers credentials for a principal (STS AssumeRole, `sandbox credentials`). */
  registerPrincipal(
    principal: Omit<Principal, 'accessKeyId'>,
    options?: { readonly accessKeyId?: string; readonly expiresAtMs?: number },
  ): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: Date };
  /** The management account id. */
  readonly managementAccountId: string;
  /** The hub principal that in-process functions act as. */
  readonly hubPrincipal: Principal;
  readonly organizations: OrganizationView;
  /**
   * Whether the services seed a network of their own (the transit gateway and its share, the egress
   * VPC, the bastion SSH group; `RuntimeOptions.seedNetwork`). Absent means no.
   */
  readonly seedNetwork?: boolean;
  /**
   * The fault configured for this service/operation, drawn with the seeded generator; `undefined`
   * when none applies. The server consults it for every API call; services consult it for
   * internal behaviours under their own operation names (e.g. `cloudformation`/`DeployStackInstance`,
   * `organizations`/`CreateAccountProcess`).
   */
  fault(service: string, operation: string): FaultDecision | undefined;
  /** Random numbers from the sandbox's seeded generator (faults, ids). */
  random(): number;
  /** Background work a service started (timers); awaited on shutdown. */
  track(promise: Promise<unknown>): void;
  /**
   * Decides a call a service makes on a principal's behalf (EventBridge putting an event on another
   * account's bus with a rule's role): the principal's SCPs and identity policies, the resource's
   * policy. Returns AWS's denial message, or undefined when allowed. Absent in unit-test runtimes
   * that model no identities (everything is allowed there).
   */
  authorize?(call: InternalAuthorization): string | undefined;
}

/** A call a service authorizes for a principal (see {@link SandboxRuntime.authorize}). */
export interface InternalAuthorization {
  readonly principal: Principal;
  readonly action: string;
  readonly resources: readonly string[];
  readonly region: string;
  /** Request condition keys (`aws:RequestTag/<k>`, `aws:TagKeys`). */
  readonly context?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly resourcePolicy?: CompiledPolicy;
  readonly resourceAccountId?: string;
}

/** One request as a service sees it. */
export interface RequestContext {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly principal: Principal;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly runtime: SandboxRuntime;
}

/**
 * An operation: decoded input in, plain result out. For JSON protocols the input and output are
 * the JSON bodies; for query protocols the input is the decoded form (`Foo.member.1` → `Foo: [..]`,
 * `Filter.1.Name` → `Filter: [{ Name }]`) and the output is serialised to XML element by element
 * (arrays become `<member>` / `<item>` lists).
 */
export type OperationHandler = (input: Record<string, unknown>, ctx: RequestContext) => unknown | Promise<unknown>;

/** What a service changes in the CloudTrail record of one operation, where AWS records it its own way. */
export interface TrailOverrides {
  /** CloudTrail's name of the call when it differs from the API's (`PutAccountPublicAccessBlock`). */
  readonly eventName?: string;
  readonly requestParameters?: Record<string, unknown> | null;
  /** Ignored when the call failed (`responseElements` is then null). */
  readonly responseElements?: Record<string, unknown> | null;
}

/** Maps a finished call to its CloudTrail overrides (see `ServiceDefinition.trailShapes`). */
export type TrailShaper = (call: {
  readonly input: Record<string, unknown>;
  readonly result: unknown;
  readonly ctx: RequestContext;
}) => TrailOverrides;

/** What authorization needs to know of one call beyond the caller (see `sandbox/core/auth.ts`). */
export interface AuthorizationDetails {
  /** The call needs no permission and no policy can deny it (STS `GetCallerIdentity`). */
  readonly noPermissionRequired?: boolean;
  /** The IAM action when it is not `<actionPrefix>:<operation>` (S3 Control's `DeletePublicAccessBlock`). */
  readonly action?: string;
  /** Every resource ARN the call touches (each must be allowed); default `*`. */
  readonly resources?: readonly string[];
  /** Request condition keys: `aws:RequestTag/<k>`, `aws:TagKeys`, `aws:ResourceTag/<k>`, service keys. */
  readonly context?: Readonly<Record<string, string | readonly string[] | boolean | undefined>>;
  /** The resource's own policy (a bus policy, a role's trust policy) and the account that owns the resource. */
  readonly resourcePolicy?: CompiledPolicy;
  readonly resourceAccountId?: string;
}

export interface ServiceDefinition {
  /** IAM action prefix when it differs from the signing name. */
  readonly actionPrefix?: string;
  /** Resources and condition keys of a call for authorization; default: resource `*`, no request keys. */
  readonly authorization?: (
    operation: string,
    input: Record<string, unknown>,
    ctx: RequestContext,
  ) => AuthorizationDetails;
  /** SigV4 signing name: `organizations`, `cloudformation`, `ec2`, `sts`, `states`, `events`, `dynamodb`. */
  readonly signingName: string;
  readonly protocol: Protocol;
  /**
   * A JSON service that also answers the query protocol (`Action=…` forms), as SQS and CloudWatch do
   * for older clients (the AWS CLI v2 before 2023): such a request is decoded and answered as
   * `awsQuery` (with `xmlNamespace`), and JSON errors carry `x-amzn-query-error`.
   */
  readonly queryCompatible?: { readonly version: string };
  /** JSON protocols: the `X-Amz-Target` prefix, e.g. `AWSOrganizationsV20161128`. */
  readonly targetPrefix?: string;
  /**
   * Other `X-Amz-Target` prefixes clients send for the same service, e.g. botocore's fully qualified
   * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101` (the AWS CLI) next to SDK v3's `CloudTrail_20131101`.
   */
  readonly targetPrefixAliases?: readonly string[];
  /** Query protocols: the XML namespace of responses. */
  readonly xmlNamespace?: string;
  /** CloudTrail `eventSource`, e.g. `organizations.amazonaws.com`. */
  readonly eventSource: string;
  readonly operations: Readonly<Record<string, OperationHandler>>;
  /** Operations that do not change state (no CloudTrail event). Default: `Describe*`, `List*`, `Get*`, `Test*`. */
  readonly isReadOnly?: (operation: string) => boolean;
  /** Per-operation CloudTrail shapes that differ from the generic lower-camel conversion. */
  readonly trailShapes?: Readonly<Record<string, TrailShaper>>;
  /** Called on start (seed, resume background work). */
  readonly start?: (runtime: SandboxRuntime) => void | Promise<void>;
  /** Called on shutdown. */
  readonly stop?: () => void | Promise<void>;
}

/**
 * An error that reaches the SDK as a named exception: the JSON protocols send `__type`, the query
 * protocols `<Code>`.
 */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  /**
   * For a service that speaks JSON and query (SQS, CloudWatch: `awsQueryCompatible`), the code the
   * query protocol uses (`AWS.SimpleQueueService.NonExistentQueue`); the JSON protocol sends it in
   * `x-amzn-query-error`. Absent: the same as `code`.
   */
  readonly queryCode?: string;

  constructor(
    code: string,
    message: string,
    options: { status?: number; fault?: 'Sender' | 'Receiver'; queryCode?: string } = {},
  ) {
    super(message);
    this.name = 'AwsServiceError';
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    if (options.queryCode !== undefined) this.queryCode = options.queryCode;
  }
}
