import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../../config/load';
import type { FunctionSpec } from '../../functions/manifest';

export const STATE_MACHINE_DIR = join(PROJECT_ROOT, 'statemachines');

/** An ASL file of `statemachines/`. */
export interface AslFile {
  /** kebab-case file name without `.asl.json` (the manifest's `trigger.stateMachine`). */
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

/** Every `statemachines/*.asl.json`, sorted by name. */
export function loadAslFiles(dir: string = STATE_MACHINE_DIR): AslFile[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((f) => ({ name: basename(f, '.asl.json'), path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

/** The `${Name}` placeholders an ASL text uses. */
export function aslPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
}

export interface VendguardStateMachineProps {
  readonly asl: AslFile;
  /** Manifest functions by name; those triggered by this state machine fill their placeholder. */
  readonly functions: ReadonlyMap<string, { readonly spec: FunctionSpec; readonly fn: IFunction }>;
  readonly bus: IEventBus;
  readonly table: ITable;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * One ASL file as a state machine `vendguard-<name>`: the definition is the file's text verbatim
 * and every placeholder is filled by `definitionSubstitutions` (each manifest `placeholder` → its
 * function ARN, `EventBusName`, `StateTableName`), logging ALL to a log group, X-Ray on.
 */
export class VendguardStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VendguardStateMachineProps) {
    super(scope, id);
    const { asl } = props;
    const substitutions: Record<string, string> = {
      EventBusName: props.bus.eventBusName,
      StateTableName: props.table.tableName,
    };
    const invoked: IFunction[] = [];
    for (const { spec, fn } of props.functions.values()) {
      if (spec.trigger.kind === 'stateMachine' && spec.trigger.stateMachine === asl.name) {
        substitutions[spec.trigger.placeholder] = fn.functionArn;
        invoked.push(fn);
      }
    }
    const unknown = aslPlaceholders(asl.text).filter((p) => !(p in substitutions));
    // A synth-time check (CDK reports it with the construct path) rather than a deployable broken definition.
    this.node.addValidation({
      validate: () =>
        unknown.length
          ? [
              `statemachines/${asl.name}.asl.json uses ${unknown.map((p) => '${' + p + '}').join(', ')}, which no manifest function (trigger.placeholder) or built-in substitution defines`,
            ]
          : [],
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/vendguard-${asl.name}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `vendguard-${asl.name}`,
      definitionBody: DefinitionBody.fromString(asl.text),
      definitionSubstitutions: substitutions,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The exact function ARNs (grantInvoke would add `<arn>:*` for versions the ASL never calls).
    if (invoked.length) {
      Grant.addToPrincipal({
        grantee: this.stateMachine,
        actions: ['lambda:InvokeFunction'],
        resourceArns: invoked.map((fn) => fn.functionArn),
      });
    }
    // Service integrations the definition uses directly.
    if (asl.text.includes('arn:aws:states:::events:putEvents')) props.bus.grantPutEventsTo(this.stateMachine);
    if (/arn:aws:states:::dynamodb:/.test(asl.text)) props.table.grantReadWriteData(this.stateMachine);
  }
}
