import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../../config/load';
import type { OrganizationConfig } from '../../config/schema';
import type { FunctionSpec } from '../../functions/manifest';
import { esbuildDefines, MAIN_FIELDS } from '../../scripts/build';
import { UnknownReferenceError } from './errors';

/** A function's execution role name (fixed: the remediation role trusts it by exact ARN). */
export const functionRoleName = (functionName: string): string => `vendguard-${functionName}`;

/** The environment every function gets (Powertools and the shared names). */
export interface FunctionEnvironment {
  readonly eventBusName: string;
  readonly stateTableName: string;
  readonly logLevel: string;
  readonly slackSecretName: string;
}

export interface VendguardFunctionsProps {
  readonly functions: readonly FunctionSpec[];
  readonly config: OrganizationConfig;
  readonly environment: FunctionEnvironment;
  /**
   * Synthesize a stub for an entry that does not exist yet instead of failing.
   * @default false
   */
  readonly allowMissingEntries?: boolean;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** A manifest function as deployed: the function, its role and its log group. */
export interface DeployedFunction {
  readonly spec: FunctionSpec;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
}

/**
 * Every manifest function as a `NodejsFunction` (nodejs22.x, arm64) bundled by the local esbuild
 * exactly as `npm run build` does, each with its own role (named `vendguard-<name>`, which the
 * member accounts' remediation role trusts) that starts with log-writing only; the hub stack then
 * grants the manifest's actions.
 */
export class VendguardFunctions extends Construct {
  readonly byName: ReadonlyMap<string, DeployedFunction>;

  constructor(scope: Construct, id: string, props: VendguardFunctionsProps) {
    super(scope, id);
    const byName = new Map<string, DeployedFunction>();
    const env = props.environment;
    for (const spec of props.functions) {
      const entry = join(PROJECT_ROOT, spec.entry);
      const missing = !existsSync(entry);
      if (missing && !props.allowMissingEntries) {
        throw new UnknownReferenceError(
          `function ${spec.name}: entry ${spec.entry} does not exist (manifest functions/manifest.ts)`,
        );
      }
      const logGroup = new LogGroup(this, `${spec.name}-logs`, {
        logGroupName: `/aws/lambda/vendguard-${spec.name}`,
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new Role(this, `${spec.name}-role`, {
        roleName: functionRoleName(spec.name),
        description: `vendguard ${spec.name}: ${spec.description}`.slice(0, 1000),
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      });
      logGroup.grantWrite(role);
      const fn = new NodejsFunction(this, spec.name, {
        functionName: `vendguard-${spec.name}`,
        description: spec.description.slice(0, 256),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb ?? 256,
        timeout: Duration.seconds(spec.timeoutSeconds ?? 30),
        role,
        logGroup,
        environment: {
          POWERTOOLS_SERVICE_NAME: 'vendguard',
          POWERTOOLS_LOG_LEVEL: env.logLevel,
          LOG_LEVEL: env.logLevel,
          VENDGUARD_EVENT_BUS: env.eventBusName,
          VENDGUARD_STATE_TABLE: env.stateTableName,
          ...(spec.actions.includes('secretsmanager:GetSecretValue')
            ? { VENDGUARD_SLACK_SECRET: env.slackSecretName }
            : {}),
        },
        ...(missing
          ? {
              code: Code.fromInline(
                `exports.handler=async()=>{throw new Error('${spec.name} is not implemented yet (${spec.entry} missing)')}`,
              ),
              handler: 'index.handler',
            }
          : {
              entry,
              projectRoot: PROJECT_ROOT,
              depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
              bundling: {
                forceDockerBundling: false,
                externalModules: ['@aws-sdk/*'],
                minify: true,
                target: 'node22',
                format: OutputFormat.CJS,
                // As `npm run build` bundles (scripts/build.ts), so the measured bundles are the deployed ones.
                mainFields: MAIN_FIELDS,
                esbuildArgs: { '--legal-comments': 'none' },
                define: esbuildDefines(props.config),
                // When bundling is skipped (tests: `aws:cdk:bundling-stacks: []`), do not fingerprint the
                // whole project directory for a placeholder asset: that alone takes seconds per function.
                ...(Stack.of(this).bundlingRequired ? {} : { assetHash: `unbundled-${spec.name}` }),
              },
            }),
      });
      if (missing) {
        Annotations.of(fn).addWarningV2(
          'vendguard:missingEntry',
          `${spec.entry} does not exist yet; a stub that throws was synthesized`,
        );
      }
      byName.set(spec.name, { spec, fn, role, logGroup });
    }
    this.byName = byName;
  }

  /** The deployed function of a manifest name; throws naming the known ones. */
  get(name: string): DeployedFunction {
    const found = this.byName.get(name);
    if (!found)
      throw new UnknownReferenceError(`no manifest function "${name}"; known: ${[...this.byName.keys()].join(', ')}`);
    return found;
  }
}
