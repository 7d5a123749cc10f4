/**
 * Recording findings: one `Guardrail Finding` event on the central bus per handled event. The
 * archive keeps it and the Slack notifier renders it; the guardrails never call Slack themselves.
 */
import type { PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import {
  GUARDRAIL_FINDING,
  GUARDRAIL_SOURCE,
  type GuardrailFinding,
  GuardrailFindingSchema,
} from '../schemas/findings';
import { hubClients, sdk } from './clients';
import { FindingNotRecordedError } from './errors';
import type { GuardSettings } from './settings';

/**
 * Puts a finding on the bus. The finding is checked against {@link GuardrailFindingSchema} first,
 * so a consumer never receives one that the schema rejects.
 */
export async function publishFinding(settings: GuardSettings, finding: GuardrailFinding): Promise<void> {
  const checked = GuardrailFindingSchema.parse(finding);
  const { PutEventsCommand } = sdk.eventbridge();
  const put = new PutEventsCommand({
    Entries: [
      {
        EventBusName: settings.eventBus,
        Source: GUARDRAIL_SOURCE,
        DetailType: GUARDRAIL_FINDING,
        Detail: JSON.stringify(checked),
        Resources: [],
      },
    ],
  });
  let out: PutEventsCommandOutput;
  try {
    out = await hubClients().events.send(put);
  } catch (err) {
    throw new FindingNotRecordedError(
      `cannot put the finding of event ${finding.eventId} (${finding.accountId}/${finding.region}) on bus ${settings.eventBus}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.[0];
    throw new FindingNotRecordedError(
      `bus ${settings.eventBus} refused the finding of event ${finding.eventId}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
    );
  }
}
