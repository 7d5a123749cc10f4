import type { Store } from '../../core/types';
import { AccountValidationError, type ValidationField } from './errors';

/**
 * The alternate contacts of the accounts (AWS Account Management): one record per account and
 * contact type, store id `<account id>/<type>`. Inputs are checked against the constraints of the API
 * reference (`AlternateContact`, `PutAlternateContact`): a violation is `ValidationException`
 * (`reason` `fieldValidationFailed`, one `fieldList` entry per field). The contact type is not
 * validated here: AWS answers an unknown type with `AccessDeniedException` after authorization.
 */

export const ACCOUNT_TABLES = { contacts: 'account.alternateContacts' } as const;

/** The contact types of the API (`AlternateContactType`). */
export const ALTERNATE_CONTACT_TYPES = ['BILLING', 'OPERATIONS', 'SECURITY'] as const;
export type AlternateContactType = (typeof ALTERNATE_CONTACT_TYPES)[number];

export const isContactType = (value: string): value is AlternateContactType =>
  (ALTERNATE_CONTACT_TYPES as readonly string[]).includes(value);

/** A stored alternate contact. */
export interface ContactRecord {
  readonly accountId: string;
  readonly AlternateContactType: AlternateContactType;
  readonly Name: string;
  readonly Title: string;
  readonly EmailAddress: string;
  readonly PhoneNumber: string;
}

/** A string member's constraints, as the API reference lists them. */
interface Constraint {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** The pattern as the reference writes it, for the message. */
  readonly patternText?: string;
}

const ACCOUNT_ID: Constraint = { pattern: /^\d{12}$/, patternText: '^\\d{12}$' };

const CONTACT_FIELDS: Readonly<Record<string, Constraint>> = {
  Name: { min: 1, max: 64 },
  Title: { min: 1, max: 50 },
  EmailAddress: {
    min: 1,
    max: 254,
    pattern: /^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$/,
    patternText: '^[\\s]*[\\w+=.#|!&-]+@[\\w.-]+\\.[\\w]+[\\s]*$',
  },
  PhoneNumber: { min: 1, max: 25, pattern: /^[\s0-9()+-]+$/, patternText: '^[\\s0-9()+-]+$' },
};

/** The findings of one member (the validator's wording, one per violated constraint). */
function check(name: string, value: unknown, c: Constraint): ValidationField[] {
  if (typeof value !== 'string') {
    const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    return [
      { name, message: `instance type (${type}) does not match any allowed primitive type (allowed: ["string"])` },
    ];
  }
  const out: ValidationField[] = [];
  if (c.min !== undefined && value.length < c.min) {
    out.push({
      name,
      message: `string "${value}" is too short (length: ${value.length}, minimum required: ${c.min})`,
    });
  }
  if (c.max !== undefined && value.length > c.max) {
    out.push({ name, message: `string "${value}" is too long (length: ${value.length}, maximum allowed: ${c.max})` });
  }
  if (c.pattern && value.length > 0 && !c.pattern.test(value)) {
    out.push({ name, message: `ECMA 262 regex "${c.patternText}" does not match input string "${value}"` });
  }
  return out;
}

/** The request of one of the three operations, validated. */
export interface ContactRequest {
  /** Undefined: the caller's own account (standalone context). */
  readonly AccountId?: string;
  readonly AlternateContactType: string;
  readonly contact?: Omit<ContactRecord, 'accountId' | 'AlternateContactType'>;
}

/**
 * Validates a request: `AlternateContactType` is required (any string passes here), `AccountId`
 * optional (12 digits), and for `PutAlternateContact` the four contact fields are required with
 * their length and pattern. Throws {@link AccountValidationError} listing every finding.
 */
export function parseContactRequest(input: Record<string, unknown>, withContact: boolean): ContactRequest {
  const required = ['AlternateContactType', ...(withContact ? Object.keys(CONTACT_FIELDS) : [])];
  const missing = required.filter((k) => input[k] === undefined || input[k] === null);
  const findings: ValidationField[] = missing.map((name) => ({
    name,
    message: `object has missing required properties (["${name}"])`,
  }));
  if (input.AlternateContactType !== undefined && typeof input.AlternateContactType !== 'string') {
    findings.push(...check('AlternateContactType', input.AlternateContactType, {}));
  }
  if (input.AccountId !== undefined && input.AccountId !== null) {
    findings.push(...check('AccountId', input.AccountId, ACCOUNT_ID));
  }
  if (withContact) {
    for (const [name, c] of Object.entries(CONTACT_FIELDS)) {
      if (input[name] !== undefined && input[name] !== null) findings.push(...check(name, input[name], c));
    }
  }
  if (findings.length > 0) throw new AccountValidationError(findings);
  const accountId = typeof input.AccountId === 'string' ? input.AccountId : undefined;
  return {
    ...(accountId !== undefined ? { AccountId: accountId } : {}),
    AlternateContactType: input.AlternateContactType as string,
    ...(withContact
      ? {
          contact: {
            Name: input.Name as string,
            Title: input.Title as string,
            // AWS keeps the other fields as given but trims the address's surrounding white space
            EmailAddress: (input.EmailAddress as string).trim(),
            PhoneNumber: input.PhoneNumber as string,
          },
        }
      : {}),
  };
}

const key = (accountId: string, type: string): string => `${accountId}/${type}`;

export function getContact(store: Store, accountId: string, type: string): ContactRecord | undefined {
  return store.get<ContactRecord>(ACCOUNT_TABLES.contacts, key(accountId, type));
}

export function putContact(store: Store, record: ContactRecord): void {
  store.put<ContactRecord>(ACCOUNT_TABLES.contacts, key(record.accountId, record.AlternateContactType), record);
}

/** Deletes a contact; false when none was set. */
export function deleteContact(store: Store, accountId: string, type: string): boolean {
  return store.delete(ACCOUNT_TABLES.contacts, key(accountId, type));
}
