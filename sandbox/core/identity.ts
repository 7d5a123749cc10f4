import { createHash, randomBytes } from 'node:crypto';
import type { Principal, Store } from './types';

/**
 * Who is behind an access key. Keys the sandbox hands out (hub, `sandbox credentials`, STS
 * AssumeRole) are stored with their principal, so they survive a restart. Any other key is the
 * admin IAM user of the management account, so the AWS CLI with dummy credentials just works.
 */

const TABLE = 'principals';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface StoredPrincipal {
  readonly principal: Principal;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Issued credentials. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
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

/** The admin IAM user that unknown access keys act as. */
export function adminPrincipal(managementAccountId: string, accessKeyId: string): Principal {
  const arn = `arn:aws:iam::${managementAccountId}:user/sandbox-admin`;
  return {
    accountId: managementAccountId,
    arn,
    type: 'IAMUser',
    principalId: uniqueIdFor('AIDA', arn),
    accessKeyId,
    userName: 'sandbox-admin',
  };
}

/** The credential registry (table `principals` of the store). */
export class IdentityRegistry {
  constructor(
    private readonly store: Store,
    private readonly managementAccountId: string,
  ) {}

  /** The principal registered for a key, or undefined. */
  registered(accessKeyId: string): Principal | undefined {
    return this.store.get<StoredPrincipal>(TABLE, accessKeyId)?.principal;
  }

  /** The principal for a key: registered, else the sandbox admin user. */
  resolve(accessKeyId: string): Principal {
    return this.registered(accessKeyId) ?? adminPrincipal(this.managementAccountId, accessKeyId);
  }

  /** Issues (or re-issues, when `accessKeyId` is given and known) credentials for a principal. */
  register(principal: Omit<Principal, 'accessKeyId'>, accessKeyId?: string): IssuedCredentials {
    if (accessKeyId) {
      const existing = this.store.get<StoredPrincipal>(TABLE, accessKeyId);
      if (existing && existing.principal.arn === principal.arn) {
        return { accessKeyId, secretAccessKey: existing.secretAccessKey, sessionToken: existing.sessionToken };
      }
    }
    const key = accessKeyId ?? randomKey(principal.type === 'AssumedRole' ? 'ASIA' : 'AKIA', 16);
    const stored: StoredPrincipal = {
      principal: { ...principal, accessKeyId: key },
      secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(48).toString('base64')}`,
    };
    this.store.put(TABLE, key, stored);
    return { accessKeyId: key, secretAccessKey: stored.secretAccessKey, sessionToken: stored.sessionToken };
  }
}
