import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { organizationConfig } from '../../functions/shared/config';
import { zodIssues } from '../../functions/shared/errors';
import {
  ACCOUNT_ENROLLMENT_DETAIL_TYPE,
  type AccountEnrollment,
  AccountEnrollmentSchema,
} from '../../functions/shared/schemas/account-request';
import { organizationsClient } from '../../functions/shared/vending/org';
import { configIssues } from '../../functions/vend-validate-request/validate';
import { eventsClient, sfnClient } from '../aws';
import { positiveInt } from '../options';
import { CliError, EXIT } from '../output';
import { resolveAccount } from './close';
import { defaultEnvironment, putRequest, type RequestResult, reportRequest } from './request';

export interface EnrollOptions {
  readonly account: string;
  readonly ou: string;
  readonly owner: string;
  readonly costCenter?: string;
  readonly environment?: string;
  readonly requestId?: string;
  readonly wait?: boolean;
  readonly json?: boolean;
  readonly pollMs?: number;
  readonly timeout?: number;
}

export interface EnrollClients {
  readonly org: OrganizationsClient;
  readonly events: EventBridgeClient;
  readonly sfn: SFNClient;
}

const kebab = (path: string) => path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The enrollment of an existing account, checked like a request (exit 2, nothing sent, on a problem). */
export async function buildEnrollment(org: OrganizationsClient, options: EnrollOptions): Promise<AccountEnrollment> {
  const account = await resolveAccount(org, options.account);
  const config = organizationConfig();
  const core = config.accounts.find((a) => a.email.toLowerCase() === (account.Email ?? '').toLowerCase());
  if (core) {
    throw new CliError(
      `--account: ${account.Id} is the core account ${core.name}: core accounts are not enrolled`,
      EXIT.usage,
    );
  }
  const raw = {
    accountId: account.Id,
    name: account.Name,
    email: account.Email,
    ou: options.ou,
    owner: options.owner,
    ...(options.costCenter !== undefined ? { costCenter: options.costCenter } : {}),
    environment: options.environment ?? defaultEnvironment(options.ou),
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
  };
  const parsed = AccountEnrollmentSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = zodIssues(parsed.error)
      .map(
        (i) =>
          `${i.path === 'name' || i.path === 'email' ? `the account's ${i.path}` : `--${kebab(i.path)}`}: ${i.message}`,
      )
      .join('; ');
    throw new CliError(`the enrollment is invalid (nothing was sent): ${detail}`, EXIT.usage);
  }
  const issues = configIssues(parsed.data, config, { enrollment: true });
  if (issues.length) {
    const detail = issues.map((i) => `--${kebab(i.path)}: ${i.message}`).join('; ');
    throw new CliError(`the enrollment is invalid (nothing was sent): ${detail}`, EXIT.usage);
  }
  return parsed.data;
}

/** Runs `vendguard enroll`: checks, puts `Account Enrollment Request`, optionally follows the execution. */
export async function runEnroll(
  options: EnrollOptions,
  clients: EnrollClients = { org: organizationsClient(), events: eventsClient(), sfn: sfnClient() },
): Promise<RequestResult> {
  const enrollment = await buildEnrollment(clients.org, options);
  const requestId = enrollment.requestId ?? `enroll-${enrollment.accountId}`;
  const eventId = await putRequest(clients.events, enrollment, ACCOUNT_ENROLLMENT_DETAIL_TYPE);
  return reportRequest(
    requestId,
    eventId,
    { ...options, ...(options.timeout !== undefined ? { timeoutSeconds: options.timeout } : {}) },
    clients.sfn,
  );
}

const POLL_MS = positiveInt('--poll-ms', { min: 100, max: 60_000, unit: 'milliseconds' });
const TIMEOUT = positiveInt('--timeout', { min: 1, max: 31_536_000, unit: 'seconds' });

export function register(program: Command): void {
  program
    .command('enroll')
    .description(
      'Bring an existing account (created or invited outside vendguard) under vendguard: quarantine, move, tag, baseline, network, SCPs, release, announce',
    )
    .requiredOption('--account <id|name>', 'the account: its 12-digit id or its name')
    .requiredOption('--ou <path>', 'target OU path, e.g. Workloads/Dev (one of vending.allowedOus)')
    .requiredOption('--owner <team>', 'owning team, e.g. team-payments')
    .option('--cost-center <cc>', 'cost center tag')
    .option('--environment <env>', 'prod | staging | dev | sandbox (default: from the OU name, else dev)')
    .option('--request-id <id>', 'idempotency key (default: enroll-<account id>)')
    .option('--wait', 'follow the execution state by state until it ends')
    .option('--json', 'print a machine-readable result on stdout (as vendguard request)')
    .option('--poll-ms <ms>', `time between polls with --wait: ${POLL_MS.accepts}`, POLL_MS, 1000)
    .option(
      '--timeout <seconds>',
      `stop waiting after this long (the execution goes on): ${TIMEOUT.accepts}`,
      TIMEOUT,
      3600,
    )
    .addHelpText(
      'after',
      `
The account keeps its name and email. It goes through the vending state machine without CreateAccount;
approval-required OUs wait for vendguard approve as requests do. Enrolling the same account again
finds its execution (enroll-<account id>) instead of starting another.

Examples:
  $ vendguard enroll --account legacy-billing --ou Workloads/Dev --owner team-billing --wait
  $ vendguard enroll --account 123456789012 --ou Workloads/Prod --owner team-risk --json

Exit codes: 0 sent (or enrolled, with --wait), 1 enrollment failed (error, cause and redrive command
printed), 2 invalid (a core account, an unknown one, a bad option: nothing was sent), 3 AWS or the
sandbox could not be reached.`,
    )
    .action(async (opts: EnrollOptions) => {
      await runEnroll(opts);
    });
}
