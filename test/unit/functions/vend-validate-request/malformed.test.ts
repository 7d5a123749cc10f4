import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { InputValidationError } from '../../../../functions/shared/errors';
import { startVending } from '../../../../functions/vend-start/start';
import { handler } from '../../../../functions/vend-validate-request/app';
import {
  ACCOUNT_ID,
  CONTEXT,
  commandNames,
  mockOrganization,
  mutatingCalls,
  REQUEST,
} from '../shared/vending/fixtures';

const org = mockClient(OrganizationsClient);
const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const events = mockClient(EventBridgeClient);

beforeEach(() => {
  org.reset();
  sfn.reset();
  sts.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:100000000001:execution:x:y' });
  mockOrganization(org, {
    accounts: [{ Id: ACCOUNT_ID, Email: 'aws-taken@acme.example', Name: 'taken' }],
    tags: { 'vendguard:request-id': 'someone-else' },
  });
});

const without = (key: keyof typeof REQUEST) => {
  const { [key]: _, ...rest } = REQUEST;
  return rest;
};

/** [description, request, the field that must be named, a word of the reason]. */
const MALFORMED: [string, unknown, string, RegExp][] = [
  ['missing name', without('name'), 'name', /expected string/i],
  ['missing email', without('email'), 'email', /expected string|email/i],
  ['missing ou', without('ou'), 'ou', /expected string/i],
  ['missing owner', without('owner'), 'owner', /expected string/i],
  ['missing environment', without('environment'), 'environment', /one of/i],
  ['empty object', {}, 'name', /expected string/i],
  ['email without @', { ...REQUEST, email: 'payments.acme.example' }, 'email', /email/i],
  ['email with two @', { ...REQUEST, email: 'a@b@acme.example' }, 'email', /email/i],
  ['email with spaces', { ...REQUEST, email: 'aws payments@acme.example' }, 'email', /email/i],
  ['email of a foreign domain', { ...REQUEST, email: 'aws-payments@evil.example' }, 'email', /not allowed/],
  ['email longer than 64 characters', { ...REQUEST, email: `${'a'.repeat(60)}@acme.example` }, 'email', /64/],
  ['email already used by another account', { ...REQUEST, email: 'aws-taken@acme.example' }, 'email', /already used/],
  ['unknown OU', { ...REQUEST, ou: 'Workloads/Nope' }, 'ou', /unknown OU/],
  ['OU that exists but cannot be vended into', { ...REQUEST, ou: 'Security' }, 'ou', /cannot be vended/],
  ['the quarantine OU', { ...REQUEST, ou: 'Quarantine' }, 'ou', /cannot be vended/],
  ['OU path with ..', { ...REQUEST, ou: '../Workloads' }, 'ou', /OU path/],
  ['OU path with a trailing slash', { ...REQUEST, ou: 'Workloads/' }, 'ou', /OU path/],
  ['empty OU', { ...REQUEST, ou: '' }, 'ou', /empty/],
  ['name too long', { ...REQUEST, name: `a${'b'.repeat(60)}` }, 'name', /at most 50/],
  ['name too short', { ...REQUEST, name: 'ab' }, 'name', /at least 3/],
  ['name in upper case', { ...REQUEST, name: 'Payments-Prod' }, 'name', /must match/],
  ['name starting with a digit', { ...REQUEST, name: '1payments' }, 'name', /must match/],
  ['SQL injection in the name', { ...REQUEST, name: "x'; DROP TABLE accounts;--" }, 'name', /must match/],
  ['shell injection in the name', { ...REQUEST, name: '$(rm -rf /)' }, 'name', /must match/],
  ['script tag in the owner', { ...REQUEST, owner: '<script>alert(1)</script>' }, 'owner', /letters, digits/],
  ['shell injection in the cost center', { ...REQUEST, costCenter: '`reboot`' }, 'costCenter', /letters, digits/],
  ['newline injection in the owner', { ...REQUEST, owner: 'team\nx' }, 'owner', /letters, digits/],
  ['SQL injection in the request id', { ...REQUEST, requestId: "1' OR '1'='1" }, 'requestId', /letters, digits/],
  ['request id too long', { ...REQUEST, requestId: `r${'x'.repeat(64)}` }, 'requestId', /1-64/],
  ['unknown environment', { ...REQUEST, environment: 'production' }, 'environment', /one of/],
  ['name as a number', { ...REQUEST, name: 12345 }, 'name', /expected string/i],
  ['email as an array', { ...REQUEST, email: ['a@acme.example'] }, 'email', /email/i],
  ['ou as an object', { ...REQUEST, ou: { path: 'Workloads/Prod' } }, 'ou', /expected string/i],
  ['environment as a boolean', { ...REQUEST, environment: true }, 'environment', /one of/],
  ['owner as null', { ...REQUEST, owner: null }, 'owner', /expected string/i],
  ['unknown extra field', { ...REQUEST, admin: true }, '', /unrecognized key/i],
  [
    'prototype pollution key',
    JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(REQUEST).slice(1)}`),
    '',
    /unrecognized key/i,
  ],
];

describe('malformed account requests', () => {
  it('covers at least 30 cases', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(MALFORMED)(
    'ValidateRequest rejects %s, naming the field and the reason, with no mutating call',
    async (_d, request, field, reason) => {
      const error = await handler({ request, requestId: 'req-x' }, CONTEXT).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputValidationError);
      const issues = (error as InputValidationError).issues;
      const issue = issues.find(
        (i) => i.path === `request.${field}` || i.path === field || (field === '' && i.path === 'request'),
      );
      expect({ issues, found: issue !== undefined }).toMatchObject({ found: true });
      expect(issue?.message).toMatch(reason);
      expect(mutatingCalls(org)).toEqual([]);
    },
  );

  it.each(MALFORMED.filter(([, r]) => typeof r === 'object'))(
    'vend-start rejects %s without starting an execution, and says so on the bus',
    async (_d, request) => {
      const result = await startVending(
        {
          'detail-type': 'Account Request',
          source: 'vendguard.requests',
          account: '100000000001',
          region: 'eu-west-1',
          detail: request,
        },
        {
          sfn: sfn as unknown as SFNClient,
          sts: sts as unknown as STSClient,
          events: events as unknown as EventBridgeClient,
          eventBusName: 'vendguard',
          region: 'eu-west-1',
          stateMachineArn: 'arn:sm',
        },
      ).catch((e: unknown) => e);
      // Shape errors stop at vend-start; the organization rules are ValidateRequest's.
      if ((result as { status?: string }).status === 'rejected') {
        expect(sfn.calls()).toHaveLength(0);
        expect(commandNames(events)).toEqual(['PutEvents']);
      } else {
        expect((result as { status: string }).status).toBe('started');
        expect(events.calls()).toHaveLength(0);
      }
      expect(commandNames(sts)).toEqual([]);
    },
  );

  it('makes no AWS call at all when the config alone rejects the request', async () => {
    await expect(handler({ request: { ...REQUEST, ou: 'Security' }, requestId: 'req-x' }, CONTEXT)).rejects.toThrow(
      InputValidationError,
    );
    expect(org.calls()).toHaveLength(0);
  });
});
