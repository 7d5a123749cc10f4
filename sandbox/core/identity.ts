import { createHash, randomBytes } from 'node:crypto';
import type { Principal, Store } from './types';

/**
 * Who is behind an access key. The well-known pair `test`/`test` is the management account's
 * admin user (the documented shortcut, so the AWS CLI and the quick start work as they are).
 * Every other key is one the sandbox issued (`sandbox credentials`, STS `AssumeRole`, the
 * functions' execution roles), stored with its principal, secret, session token and expiry on the
 * sandbox clock, so it survives a restart. A key the sandbox did not issue is unknown.
 */

const TABLE = 'principals';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The documented admin key pair (`AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`). */
export const TEST_ACCESS_KEY_ID = 'test';
export const TEST_SECRET_ACCESS_KEY = 'test';
/** Name of the management account's admin user that the `test` key acts as. */
export const ADMIN_USER_NAME = 'sandbox-admin';

/** What the registry knows of a key. */
export interface KeyRecord {
  readonly principal: Principal;
  readonly secretAccessKey: string;
  /** Temporary (ASIA) keys only: the token the request must carry as `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
  /** Sandbox-clock epoch ms after which the key is expired; absent for keys that do not expire. */
  readonly expiresAtMs?: number;
}

/** Issued credentials. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Sandbox-clock expiry, absent for keys that do not expire (the functions' execution roles). */
  readonly expiration?: Date;
}

/** How {@link IdentityRegistry.register} issues a key. */
export interface IssueOptions {
  /** Re-issue this key (kept when it is already bound to the same principal). */
  readonly accessKeyId?: string;
  /** Sandbox-clock epoch ms at which the credentials expire; default never. */
  readonly expiresAtMs?: number;
  /** Sandbox-clock epoch ms at which they are issued (a role session's creation date). */
  readonly issuedAtMs?: number;
}

function randomKey(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return out;
}

/** A stable unique id (`AROA…`, `AIDA…`) derived from an ARN, as IAM gives each role and user one. */
export function uniqueIdFor(prefix: 'AROA' | 'AIDA', arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += KEY_ALPHABET[(digest[i] ?? 0) % KEY_ALPHABET.length];
  return out;
}

/** The principal of an assumed role session. */
export function assumedRolePrincipal(
  accountId: string,
  roleName: string,
  sessionName: string,
): Omit<Principal, 'accessKeyId'> {
  const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
  return {
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    type: 'AssumedRole',
    principalId: `${uniqueIdFor('AROA', roleArn)}:${sessionName}`,
    roleArn,
    roleName,
    sessionName,
  };
}

/** The admin IAM user of the management account (what the `test` key acts as). */
export function adminPrincipal(managementAccountId: string, accessKeyId = TEST_ACCESS_KEY_ID): Principal {
  const arn = `arn:aws:iam::${managementAccountId}:user/${ADMIN_USER_NAME}`;
  return {
    accountId: managementAccountId,
    arn,
    type: 'IAMUser',
    principalId: uniqueIdFor('AIDA', arn),
    accessKeyId,
    userName: ADMIN_USER_NAME,
  };
}

/** The credential registry (table `principals` of the store). */
export class IdentityRegistry {
  private readonly admin: KeyRecord;

  constructor(
    private readonly store: Store,
    managementAccountId: string,
  ) {
    this.admin = { principal: adminPrincipal(managementAccountId), secretAccessKey: TEST_SECRET_ACCESS_KEY };
  }

  /** Everything known of a key (the `test` key included), or undefined for a key the sandbox never issued. */
  lookup(accessKeyId: string): KeyRecord | undefined {
    if (accessKeyId === TEST_ACCESS_KEY_ID) return this.admin;
    return this.store.get<KeyRecord>(TABLE, accessKeyId);
  }

  /** The principal of a known key, or undefined. */
  registered(accessKeyId: string): Principal | undefined {
    return this.lookup(accessKeyId)?.principal;
  }

  /** Issues (or re-issues, when `options.accessKeyId` is given and bound to the same principal) credentials. */
  register(principal: Omit<Principal, 'accessKeyId'>, options: IssueOptions = {}): IssuedCredentials {
    const { accessKeyId } = options;
    if (accessKeyId) {
      const existing = this.store.get<KeyRecord>(TABLE, accessKeyId);
      if (existing && existing.principal.arn === principal.arn && existing.expiresAtMs === options.expiresAtMs) {
        return issued(accessKeyId, existing);
      }
    }
    const key = accessKeyId ?? randomKey(principal.type === 'AssumedRole' ? 'ASIA' : 'AKIA', 16);
    const issuedAt =
      principal.type === 'AssumedRole' && options.issuedAtMs !== undefined
        ? { sessionIssuedAt: `${new Date(options.issuedAtMs).toISOString().slice(0, 19)}Z` }
        : {};
    const stored: KeyRecord = {
      principal: { ...principal, ...issuedAt, accessKeyId: key },
      secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
      ...(principal.type === 'AssumedRole'
        ? { sessionToken: `FwoGZXIvYXdzE${randomBytes(48).toString('base64')}` }
        : {}),
      ...(options.expiresAtMs !== undefined ? { expiresAtMs: options.expiresAtMs } : {}),
    };
    this.store.put(TABLE, key, stored);
    return issued(key, stored);
  }
}

function issued(accessKeyId: string, r: KeyRecord): IssuedCredentials {
  return {
    accessKeyId,
    secretAccessKey: r.secretAccessKey,
    sessionToken: r.sessionToken ?? '',
    ...(r.expiresAtMs !== undefined ? { expiration: new Date(r.expiresAtMs) } : {}),
  };
}
