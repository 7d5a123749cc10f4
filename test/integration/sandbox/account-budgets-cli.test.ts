/**
 * Account Management, Budgets and Organizations `close-account` through every installed AWS CLI
 * (botocore's REST-JSON and JSON 1.1 clients, unmodified): the happy paths and one error line each.
 */
import { type AwsCli, type CliResult, errorLine, installedAwsClis, runAws } from '../../helpers/aws-cli';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';

const clis: AwsCli[] = installedAwsClis();
const describeClis = clis.length > 0 ? describe.each(clis) : describe.skip.each(clis);

let sb: TestSandbox;

beforeAll(async () => {
  // 60x: a closure's 5 simulated minutes last 5 real seconds, longer than a CLI run
  sb = await startTestSandbox({ timeScale: 60 });
}, 60_000);
afterAll(() => sb?.stop());

const aws = (cli: AwsCli, args: string[]): Promise<CliResult> => runAws(cli.path, sb.endpoint, args);
const ok = (out: CliResult): unknown => {
  if (out.code !== 0) throw new Error(`${out.cli} failed: ${out.stderr}`);
  return out.stdout.trim() === '' ? {} : JSON.parse(out.stdout);
};

describeClis('$path (v$major)', (cli) => {
  const mgmt = () => sb.runtime.managementAccountId;

  it('puts, gets and deletes an alternate contact', async () => {
    const type = cli.major === 2 ? 'BILLING' : 'OPERATIONS';
    ok(
      await aws(cli, [
        'account',
        'put-alternate-contact',
        '--alternate-contact-type',
        type,
        '--name',
        'Ops',
        '--title',
        'On call',
        '--email-address',
        'ops@acme.example',
        '--phone-number',
        '+1 555 0100',
      ]),
    );
    expect(ok(await aws(cli, ['account', 'get-alternate-contact', '--alternate-contact-type', type]))).toEqual({
      AlternateContact: {
        Name: 'Ops',
        Title: 'On call',
        EmailAddress: 'ops@acme.example',
        PhoneNumber: '+1 555 0100',
        AlternateContactType: type,
      },
    });
    ok(await aws(cli, ['account', 'delete-alternate-contact', '--alternate-contact-type', type]));
    const missing = await aws(cli, ['account', 'get-alternate-contact', '--alternate-contact-type', type]);
    expect(missing.code).not.toBe(0);
    expect(errorLine(missing)).toBe(
      'An error occurred (ResourceNotFoundException) when calling the GetAlternateContact operation: No contact of the inputted alternate contact type found.',
    );
  });

  it('creates, lists and deletes a budget', async () => {
    const name = `cli-v${cli.major}`;
    ok(
      await aws(cli, [
        'budgets',
        'create-budget',
        '--account-id',
        mgmt(),
        '--budget',
        JSON.stringify({
          BudgetName: name,
          BudgetLimit: { Amount: '50', Unit: 'USD' },
          TimeUnit: 'MONTHLY',
          BudgetType: 'COST',
        }),
      ]),
    );
    const listed = ok(await aws(cli, ['budgets', 'describe-budgets', '--account-id', mgmt()])) as {
      Budgets: { BudgetName: string }[];
    };
    expect(listed.Budgets.map((b) => b.BudgetName)).toContain(name);
    ok(await aws(cli, ['budgets', 'delete-budget', '--account-id', mgmt(), '--budget-name', name]));
    const gone = await aws(cli, ['budgets', 'describe-budget', '--account-id', mgmt(), '--budget-name', name]);
    expect(errorLine(gone)).toContain(
      'An error occurred (NotFoundException) when calling the DescribeBudget operation:',
    );
  });

  it('closes a member account and refuses the management account', async () => {
    const id = sb.accountId(cli.major === 2 ? 'bastion' : 'eks-shared');
    ok(await aws(cli, ['organizations', 'close-account', '--account-id', id]));
    const described = ok(await aws(cli, ['organizations', 'describe-account', '--account-id', id])) as {
      Account: { Status: string };
    };
    expect(described.Account.Status).toBe('PENDING_CLOSURE');
    const refused = await aws(cli, ['organizations', 'close-account', '--account-id', mgmt()]);
    expect(errorLine(refused)).toMatch(
      /^An error occurred \(ConstraintViolationException\) when calling the CloseAccount operation: You attempted to close the management account\./,
    );
  });
});
