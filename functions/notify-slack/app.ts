import { lambdaHandler } from '../shared/middleware';
import { NotifySlackEventSchema } from './events';
import { handleNotifyEvent } from './handle';

/** Rule `notify-slack`: guardrail findings, vending outcomes and rejected account requests from the bus, posted to Slack. */
export const handler = lambdaHandler(NotifySlackEventSchema, 'notify-slack event', (event) => handleNotifyEvent(event));
