import type { Command } from 'commander';
import { ConfigValidationError } from '../../config/errors';
import { DEFAULT_CONFIG_PATH, loadOrganizationConfig } from '../../config/load';
import { FULL_AWS_ACCESS, SCP_MAX_CHARACTERS, scpSize } from '../../config/validate';
import { CliError, EXIT, printJson } from '../output';

/**
 * `vendguard config validate [file]`: the organization config's schema and cross-field checks,
 * every problem at once, no AWS call.
 */
export function register(program: Command): void {
  const config = program.command('config').description('Work with the organization config (config/organization.yaml)');
  config
    .command('validate')
    .description('Validate an organization config: strict schema, then cross-field checks; makes no AWS call')
    .argument('[file]', 'the YAML file', process.env.VENDGUARD_CONFIG ?? DEFAULT_CONFIG_PATH)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vendguard config validate
  $ vendguard config validate ./my-org.yaml --json

Exit codes: 0 valid, 2 invalid (every issue is listed with its path).`,
    )
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const loaded = loadOrganizationConfig(file);
        const { config: c } = loaded;
        const summary = {
          file: loaded.path,
          valid: true,
          organizationalUnits: c.organizationalUnits.length,
          accounts: c.accounts.length,
          stackSets: c.baselines.stackSets.length,
          scps: c.scps.map((scp) => ({
            name: scp.name,
            characters: scpSize(loaded.scpDocuments[scp.document] ?? ''),
            targets: [...scp.targets, ...scp.accounts],
          })),
        };
        if (opts.json) return printJson(summary);
        console.log(`${loaded.path} is valid`);
        console.log(
          `  ${summary.organizationalUnits} OUs, ${summary.accounts} core accounts, ${summary.stackSets} baseline stack sets, ${c.scps.length} SCPs (+ ${FULL_AWS_ACCESS})`,
        );
        for (const scp of summary.scps) {
          console.log(
            `  ${scp.name}: ${scp.characters}/${SCP_MAX_CHARACTERS} characters, attached to ${scp.targets.join(', ') || '-'}`,
          );
        }
      } catch (err) {
        if (!(err instanceof ConfigValidationError)) throw err;
        if (opts.json) {
          printJson({ file, valid: false, issues: err.issues });
          process.exitCode = EXIT.usage;
          return;
        }
        throw new CliError(err.message, EXIT.usage);
      }
    });
}
