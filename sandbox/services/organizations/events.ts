import { randomUUID } from 'node:crypto';
import type { BusEntry, TrailShaper } from '../../core/types';
import type { CreateStatusRecord } from './model';

/**
 * The service events Organizations sends through CloudTrail. When an asynchronous `CreateAccount`
 * finishes, AWS records a `CreateAccountResult` (`eventType: AwsServiceEvent`) in the management
 * account, delivered to EventBridge as `AWS Service Event via CloudTrail`
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_security_incident-response.html).
 */

export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A time as CloudTrail writes it inside `serviceEventDetails`: `May 15, 2023 8:26:54 AM` (UTC). */
export function serviceEventTimestamp(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * The `CreateAccountResult` event of a finished creation (SUCCEEDED or FAILED). As in AWS, the
 * account name is masked (`****`), the identity is `AWS Internal`, and the event lands on the
 * management account's default bus in us-east-1.
 */
export function createAccountResultEntry(status: CreateStatusRecord, managementAccountId: string): BusEntry {
  const completedMs = status.CompletedTimestampMs ?? status.dueMs;
  const eventTime = `${new Date(completedMs).toISOString().slice(0, 19)}Z`;
  return {
    source: 'aws.organizations',
    detailType: SERVICE_EVENT_DETAIL_TYPE,
    account: managementAccountId,
    region: 'us-east-1',
    resources: [],
    time: new Date(completedMs),
    detail: {
      eventVersion: '1.08',
      userIdentity: { accountId: managementAccountId, invokedBy: 'AWS Internal' },
      eventTime,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'CreateAccountResult',
      awsRegion: 'us-east-1',
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: null,
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: managementAccountId,
      serviceEventDetails: {
        createAccountStatus: {
          id: status.Id,
          state: status.State,
          accountName: '****',
          ...(status.AccountId ? { accountId: status.AccountId } : {}),
          ...(status.FailureReason ? { failureReason: status.FailureReason } : {}),
          requestedTimestamp: serviceEventTimestamp(status.RequestedTimestampMs),
          completedTimestamp: serviceEventTimestamp(completedMs),
        },
      },
      eventCategory: 'Management',
    },
  };
}

/**
 * How CloudTrail records `CreateAccount`: the account name and email masked (`****`) in the request
 * and the response, the request time in CloudTrail's `Nov 5, 2020 9:21:45 PM` form, the other request
 * parameters (`roleName`, `iamUserAccessToBilling`, `tags`) as given.
 */
export const createAccountTrailShape: TrailShaper = ({ input, result }) => {
  const { AccountName: _name, Email: _email, ...rest } = input;
  const requestParameters: Record<string, unknown> = { accountName: '****', email: '****' };
  for (const [k, v] of Object.entries(rest)) requestParameters[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  const status = (
    result as { CreateAccountStatus?: { Id?: string; State?: string; RequestedTimestamp?: Date } } | undefined
  )?.CreateAccountStatus;
  return {
    requestParameters,
    responseElements: status
      ? {
          createAccountStatus: {
            accountName: '****',
            id: status.Id,
            requestedTimestamp: status.RequestedTimestamp
              ? serviceEventTimestamp(status.RequestedTimestamp.getTime())
              : undefined,
            state: status.State,
          },
        }
      : null,
  };
};
