import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { clearCredentialCache } from '../../../../../functions/shared/aws';
import { memberClient, resetGuardClients, sdk } from '../../../../../functions/shared/guardrails/clients';

const ACCOUNT = '222233334444';
const ENV = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3_CONTROL'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

beforeEach(() => {
  for (const k of ENV) delete process.env[k];
  clearCredentialCache();
  resetGuardClients();
  mockClient(STSClient)
    .on(AssumeRoleCommand)
    .resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
});
afterAll(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** Where the client would send PutPublicAccessBlock for the account. */
async function s3ControlUrl(): Promise<string> {
  const client = await memberClient('s3control', ACCOUNT, 'eu-west-1', 'VendguardGuardrailRemediation');
  expect(client).toBeInstanceOf(S3ControlClient);
  const endpoint = await client.config.endpointProvider({
    Region: 'eu-west-1',
    AccountId: ACCOUNT,
    RequiresAccountId: true,
    UseFIPS: false,
    UseDualStack: false,
  });
  return endpoint.url.href;
}

describe('guardrail clients', () => {
  it('leaves the S3 Control endpoint rules alone against AWS (the account id prefixes the host)', async () => {
    expect(await s3ControlUrl()).toBe(`https://${ACCOUNT}.s3-control.eu-west-1.amazonaws.com/`);
  });

  it('sends S3 Control to AWS_ENDPOINT_URL as is, without the account-id host prefix', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    expect(await s3ControlUrl()).toBe('http://127.0.0.1:4566/');
  });

  it('prefers AWS_ENDPOINT_URL_S3_CONTROL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    process.env.AWS_ENDPOINT_URL_S3_CONTROL = 'http://127.0.0.1:4999';
    expect(await s3ControlUrl()).toBe('http://127.0.0.1:4999/');
  });

  it('loads each SDK package once, as the module the tests mock', () => {
    expect(sdk.s3control()).toBe(sdk.s3control());
    expect(sdk.s3control().S3ControlClient).toBe(S3ControlClient);
  });
});
