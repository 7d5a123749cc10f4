import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { LoadedConfig } from '../../config/load';
import { PROJECT_ROOT } from '../../config/load';
import { buildVendguardApp, type VendguardStacks } from '../../infra/lib/vendguard-app';

/** The context of `cdk.json` (what `npx cdk synth` uses). */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
    .context;
}

export interface Synthesized extends VendguardStacks {
  readonly assembly: CloudAssembly;
  readonly hubTemplate: Template;
  readonly governanceTemplate: Template;
  /** Violations cdk-nag left unacknowledged (from the validation report). */
  readonly nagViolations: readonly { ruleName: string; severity: string; paths: string[] }[];
}

/**
 * Synthesizes the whole app once, with cdk-nag, without bundling (`aws:cdk:bundling-stacks: []`) so
 * a test file pays for one fast synth. Throws if synthesis fails (cdk-nag errors fail it).
 */
export function synthesizeApp(
  extraContext: Record<string, unknown> = {},
  options: { readonly loaded?: LoadedConfig } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'vendguard-cdk-'));
  const app = new App({
    outdir,
    // The built-in template linter (wasm) costs seconds per synth; `npx cdk synth` still runs it.
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      ...extraContext,
    },
  });
  const stacks = buildVendguardApp(app, options.loaded ? { loaded: options.loaded } : {});
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: {
      violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  const nagViolations = report.pluginReports.flatMap((p) =>
    p.violations.map((v) => ({
      ruleName: v.ruleName,
      severity: v.severity,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  return {
    ...stacks,
    assembly,
    hubTemplate: Template.fromJSON(assembly.getStackByName(stacks.hub.stackName).template),
    governanceTemplate: Template.fromJSON(assembly.getStackByName(stacks.governance.stackName).template),
    nagViolations,
  };
}

/** A CloudFormation resource as it appears in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: unknown;
}

/** The logical id of the one resource of a type whose properties include the given ones. */
export function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${JSON.stringify(props)}, found ${found.length}`);
  return found[0]!;
}

/** Every IAM statement attached (inline `AWS::IAM::Policy`) to a role, by the role's logical id. */
export function statementsOfRole(
  template: Template,
  roleLogicalId: string,
): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as CfnResource[];
  return policies
    .filter((p) =>
      ((p.Properties?.Roles ?? []) as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: never[] } | undefined)?.Statement ?? []);
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
