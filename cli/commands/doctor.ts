import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { ConfigValidationError } from '../../config/errors';
import { DEFAULT_CONFIG_PATH, loadOrganizationConfig } from '../../config/load';
import { awsClient } from '../../functions/shared/aws';
import { organizationsClient } from '../../functions/shared/vending/org';
import { type DoctorReport, DoctorUnreachableError, runDoctor } from '../doctor';
import { CliError, EXIT, print, printJson } from '../output';

/** The report as text: one line per check, then a summary line. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  const lines = report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(width)}  ${c.detail}`);
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(
    failed ? `${failed} of ${report.checks.length} checks failed` : `all ${report.checks.length} checks passed`,
  );
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the organization (AWS or the sandbox) against what vendguard needs and the config says; read-only',
    )
    .option('--pre-deploy', 'only the prerequisites of a first deploy (features, trusted access, trail, delegation)')
    .option('--config <file>', 'organization config', process.env.VENDGUARD_CONFIG ?? DEFAULT_CONFIG_PATH)
    .option('--json', 'print {ok, checks: [{check, ok, detail, phase}]} as JSON')
    .addHelpText(
      'after',
      `
Checks (one line each):
  organization:all-features       the organization has all features (SCPs need them)
  organization:scp-policy-type    SCPs are enabled on the root
  trusted-access:<service>        trusted access for StackSets, CloudTrail and organization.trustedServices
  organization-trail              an organization trail exists and is logging
  delegated-administrator:<a>:<s> each organization.delegatedAdministrators entry is registered
  bus-policy                      the vendguard bus admits only the members' forwarding roles and requesters
  scp:<name>                      each SCP carries its document and is attached to its targets and accounts
  rules                           every rule of events/rules/ is deployed and enabled

Run it with the management account's credentials (the hub). Examples:
  $ vendguard doctor --pre-deploy
  $ vendguard doctor --json | jq '.checks[] | select(.ok | not)'

Exit codes: 0 every check passed, 1 a check failed, 2 the config is invalid, 3 the endpoint could not be reached.`,
    )
    .action(async (opts: { preDeploy?: boolean; config: string; json?: boolean }) => {
      let loaded: ReturnType<typeof loadOrganizationConfig>;
      try {
        loaded = loadOrganizationConfig(opts.config);
      } catch (error) {
        if (error instanceof ConfigValidationError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      const clients = {
        org: organizationsClient(),
        cloudtrail: awsClient(CloudTrailClient, { region: loaded.config.organization.homeRegion }),
        events: awsClient(EventBridgeClient, { region: loaded.config.organization.homeRegion }),
      };
      let report: DoctorReport;
      try {
        report = await runDoctor(clients, {
          config: loaded.config,
          scpDocuments: loaded.scpDocuments,
          ...(opts.preDeploy ? { preDeploy: true } : {}),
          ...(process.env.VENDGUARD_EVENT_BUS ? { eventBusName: process.env.VENDGUARD_EVENT_BUS } : {}),
        });
      } catch (error) {
        if (error instanceof DoctorUnreachableError) {
          throw new CliError(`cannot reach the endpoint: ${error.message}`, EXIT.aws);
        }
        throw error;
      }
      if (opts.json) printJson(report);
      else print(formatReport(report));
      if (!report.ok) process.exitCode = EXIT.failed;
    });
}
