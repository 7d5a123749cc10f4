import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../functions/shared/aws';
import { CliError, EXIT } from './output';

/** Name prefix of every vendguard state machine (`vendguard-account-vending`). */
export const STATE_MACHINE_PREFIX = 'vendguard-';

export function sfnClient(): SFNClient {
  return awsClient(SFNClient);
}

export function eventsClient(): EventBridgeClient {
  return awsClient(EventBridgeClient);
}

/** Whether a string is an ARN rather than a name. */
export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/**
 * Resolves a state machine by kebab name (`account-vending`), full name or ARN, with one
 * paginated ListStateMachines; a name that matches nothing is a usage error that lists the known ones.
 */
export async function resolveStateMachineArn(sfn: SFNClient, nameOrArn = 'account-vending'): Promise<string> {
  if (isArn(nameOrArn)) return nameOrArn;
  const wanted = nameOrArn.startsWith(STATE_MACHINE_PREFIX) ? nameOrArn : `${STATE_MACHINE_PREFIX}${nameOrArn}`;
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const sm of page.stateMachines ?? []) {
      if (sm.name === wanted && sm.stateMachineArn) return sm.stateMachineArn;
      if (sm.name) names.push(sm.name);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  throw new CliError(
    `no state machine named ${wanted}${names.length ? ` (found: ${names.join(', ')})` : ' (none deployed: is the endpoint right?)'}`,
    EXIT.usage,
  );
}

/** The execution ARN for a name under a state machine (`…:execution:<machine>:<name>`). */
export function executionArnFor(stateMachineArn: string, nameOrArn: string): string {
  if (isArn(nameOrArn)) return nameOrArn;
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${nameOrArn}`;
}
