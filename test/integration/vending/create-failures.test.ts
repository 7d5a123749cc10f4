import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { planReplay, runReplay } from '../../../cli/replay';
import { causeMessage } from '../../../functions/vend-announce/announce';
import type { TestSandbox } from '../../helpers/sandbox';
import {
  accountsWithEmail,
  clients,
  executionArnOf,
  putRequest,
  startVendingSandbox,
  waitForExecution,
} from './harness';

let sb: TestSandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startVendingSandbox();
  c = clients(sb);
});
afterAll(() => sb?.stop());
afterEach(() => sb.runtime.faults.clear());

const request = (name: string) => ({
  name,
  email: `aws-${name}@acme.example`,
  ou: 'Workloads/Dev',
  owner: 'team-faults',
  environment: 'dev',
  requestId: `req-${name}`,
});

/** The next `count` account creations of the organization end FAILED with `reason`. */
const failCreations = (reason: string, count = 1) =>
  sb.runtime.faults.add({ service: 'organizations', operation: 'CreateAccountProcess', error: reason, count });

/** How many times the execution entered a state. */
async function entered(executionArn: string, state: string): Promise<number> {
  const history = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (history.events ?? []).filter(
    (e) => e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name === state,
  ).length;
}

describe('account vending when CreateAccount ends FAILED', () => {
  it.each([
    ['CONCURRENT_ACCOUNT_MODIFICATION', 1],
    ['INTERNAL_FAILURE', 2],
  ])('starts the creation again after %s (%i times) and vends one account', async (reason, times) => {
    failCreations(reason, times);
    const r = request(`retried-${reason.toLowerCase().replaceAll('_', '-')}`);
    await putRequest(c.events, r);
    const done = await waitForExecution(c.sfn, executionArnOf(r.requestId));
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(sb.runtime.faults.list()[0]?.fired).toBe(times);
    expect(await entered(executionArnOf(r.requestId), 'WaitBeforeCreateRetry')).toBe(times);
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(1);
  });

  it('fails with AccountLimitExceededError saying to raise the quota; the advised redrive then vends the account', async () => {
    failCreations('ACCOUNT_LIMIT_EXCEEDED');
    const r = request('over-quota');
    await putRequest(c.events, r);
    const failed = await waitForExecution(c.sfn, executionArnOf(r.requestId));
    expect([failed.status, failed.error]).toEqual(['FAILED', 'AccountLimitExceededError']);
    expect(causeMessage(failed.cause)).toContain('account over-quota was not created: ACCOUNT_LIMIT_EXCEEDED');
    expect(causeMessage(failed.cause)).toContain('"Default maximum number of accounts" in Service Quotas');
    expect(causeMessage(failed.cause)).toContain(`npx vendguard replay ${r.requestId} --mode redrive`);
    expect(await entered(executionArnOf(r.requestId), 'WaitBeforeCreateRetry')).toBe(0);
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(0);

    // the quota raised (the fault gone), the advised redrive goes back to CreateAccount and vends it
    sb.runtime.faults.clear();
    const redriven = await runReplay(c.sfn, await planReplay(c.sfn, executionArnOf(r.requestId), 'redrive'));
    const done = await waitForExecution(c.sfn, redriven.replayArn);
    expect(redriven.replayArn).toBe(executionArnOf(r.requestId));
    expect([done.status, done.error ?? null]).toEqual(['SUCCEEDED', null]);
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(1);
  });

  it('fails with PaymentMethodError on INVALID_PAYMENT_INSTRUMENT, naming the payment method of the management account', async () => {
    failCreations('INVALID_PAYMENT_INSTRUMENT');
    const r = request('no-payment');
    await putRequest(c.events, r);
    const failed = await waitForExecution(c.sfn, executionArnOf(r.requestId));
    expect([failed.status, failed.error]).toEqual(['FAILED', 'PaymentMethodError']);
    expect(causeMessage(failed.cause)).toContain('account no-payment was not created: INVALID_PAYMENT_INSTRUMENT');
    expect(causeMessage(failed.cause)).toContain('the management account has no supported payment method');
    expect(await accountsWithEmail(c.org, r.email)).toHaveLength(0);
  });

  it('fails with BusinessValidationError on PENDING_BUSINESS_VALIDATION, saying to restart once validated', async () => {
    failCreations('PENDING_BUSINESS_VALIDATION');
    const r = request('pending-validation');
    await putRequest(c.events, r);
    const failed = await waitForExecution(c.sfn, executionArnOf(r.requestId));
    expect([failed.status, failed.error]).toEqual(['FAILED', 'BusinessValidationError']);
    expect(causeMessage(failed.cause)).toContain('AWS is still validating the business details');
  });
});
