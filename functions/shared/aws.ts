import type * as StsSdk from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Options every vendguard AWS client gets. */
export interface ClientOptions {
  readonly region?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default VENDGUARD_MAX_ATTEMPTS or 4 */
  readonly maxAttempts?: number;
}

/** Minimal shape of an SDK v3 client constructor. */
type ClientConstructor<C> = new (config: {
  region?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
  retryMode?: string;
}) => C;

/** The region a function runs in: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the home region default. */
export function currentRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-1';
}

/**
 * The execution role's credentials as Lambda hands them over (`AWS_ACCESS_KEY_ID`, …), read on
 * every request rather than once per client. Reading three variables costs nothing; it lets a host
 * that runs several functions in one process (the sandbox) give each invocation its own role, as
 * Lambda gives each function its own. The expiry of "now" makes the SDK ask again next time.
 */
const executionRoleCredentials: AwsCredentialIdentityProvider = async () => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), expiration: new Date() };
};

/**
 * Creates an SDK v3 client with vendguard's defaults: standard retry mode with a bounded number of
 * attempts. The endpoint follows `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` (the SDK reads
 * them itself), so the same code talks to AWS or to the sandbox.
 *
 * @example
 * const org = awsClient(OrganizationsClient, { region: 'us-east-1' });
 */
export function awsClient<C>(Client: ClientConstructor<C>, options: ClientOptions = {}): C {
  const maxAttempts = options.maxAttempts ?? Number(process.env.VENDGUARD_MAX_ATTEMPTS ?? 4);
  // Environment credentials (Lambda's) are read per request; without them the SDK's own chain applies.
  const credentials = options.credentials ?? (process.env.AWS_ACCESS_KEY_ID ? executionRoleCredentials : undefined);
  return new Client({
    region: options.region ?? currentRegion(),
    ...(credentials ? { credentials } : {}),
    maxAttempts,
    retryMode: 'standard',
  });
}

interface CachedCredentials {
  readonly credentials: AwsCredentialIdentity;
  readonly expiresAt: number;
}

const credentialCache = new Map<string, CachedCredentials>();

/**
 * The cache key of a role session. It includes the endpoint (`AWS_ENDPOINT_URL`, unset on AWS): a
 * process that hosts functions for several sandboxes in turn (a test run) must not hand one
 * sandbox's session to another, which would refuse it as `InvalidClientTokenId`.
 */
function credentialKey(accountId: string, roleName: string, sessionName: string): string {
  return `${process.env.AWS_ENDPOINT_URL ?? ''}|${accountId}/${roleName}/${sessionName}`;
}

/**
 * Credentials for a role in a member account, cached until five minutes before they expire, so a
 * warm function makes one `AssumeRole` per account and role.
 *
 * @param accountId - the 12-digit member account
 * @param roleName - e.g. `VendguardGuardrailRemediation`
 * @param sessionName - shows in the member account's CloudTrail as the session
 */
export async function memberCredentials(
  accountId: string,
  roleName: string,
  sessionName: string,
): Promise<AwsCredentialIdentity> {
  const key = credentialKey(accountId, roleName, sessionName);
  const cached = credentialCache.get(key);
  if (cached && cached.expiresAt - 300_000 > Date.now()) return cached.credentials;
  // Required here, not at module load: a cold start that never assumes a role does not pay for STS.
  const { AssumeRoleCommand, STSClient } = require('@aws-sdk/client-sts') as typeof StsSdk;
  const sts = awsClient(STSClient);
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
      RoleSessionName: sessionName.slice(0, 64),
      DurationSeconds: 3600,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
  const credentials = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
  };
  credentialCache.set(key, { credentials, expiresAt: c.Expiration ? c.Expiration.getTime() : Date.now() + 3_600_000 });
  return credentials;
}

/** Forgets the cached credentials of one role session (they were refused as expired). */
export function forgetMemberCredentials(accountId: string, roleName: string, sessionName: string): void {
  credentialCache.delete(credentialKey(accountId, roleName, sessionName));
}

/** Whether an error is STS's or a service's refusal of expired session credentials. */
export function isExpiredToken(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'ExpiredToken' || name === 'ExpiredTokenException';
}

/** Forgets cached member credentials (tests, and after an `ExpiredToken`). */
export function clearCredentialCache(): void {
  credentialCache.clear();
}

type SendFunction = (command: unknown, options?: unknown) => Promise<unknown>;

/**
 * Makes a client whose credentials come from {@link memberCredentials} send a request refused with
 * `ExpiredToken` once more after renewing them: a session can end before the expiry this process
 * computed (its clock and STS's differ), and a step must not fail for it.
 */
export function renewOnExpiredToken<C>(client: C, accountId: string, roleName: string, session: string): C {
  const target = client as C & { send: SendFunction };
  const send: SendFunction = target.send.bind(target);
  target.send = (async (command: unknown, options?: unknown) => {
    try {
      return await send(command, options);
    } catch (err) {
      if (!isExpiredToken(err)) throw err;
      forgetMemberCredentials(accountId, roleName, session);
      await memberCredentials(accountId, roleName, session);
      // a command once sent carries its client's middleware (S3 Control's would be added twice): send a fresh one
      const { constructor: Command, input } = command as {
        constructor: new (input: unknown) => unknown;
        input: unknown;
      };
      return send(new Command(input), options);
    }
  }) as SendFunction;
  return target;
}

/**
 * A client acting as a role in another account: credentials from {@link memberCredentials} on every
 * request (one `AssumeRole` per account while they are valid), renewed once on `ExpiredToken`.
 */
export async function roleClient<C>(
  Client: ClientConstructor<C>,
  accountId: string,
  roleName: string,
  session: string,
  region: string,
): Promise<C> {
  // assumed up front: an account that refuses the role fails here, before any action is planned
  await memberCredentials(accountId, roleName, session);
  // resolved on every request; "expired now" makes the SDK ask again instead of keeping its copy
  const credentials: AwsCredentialIdentityProvider = async () => ({
    ...(await memberCredentials(accountId, roleName, session)),
    expiration: new Date(),
  });
  return renewOnExpiredToken(awsClient(Client, { region, credentials }), accountId, roleName, session);
}
