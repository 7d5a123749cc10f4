import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { redactSecrets } from '../../../../../functions/shared/notify/errors';
import { resetWebhookUrlCache, urlFromSecret, webhookUrl } from '../../../../../functions/shared/notify/webhook-url';

const URL_ = 'https://hooks.slack.com/services/T000/B000/abcdefSECRET';
const sm = mockClient(SecretsManagerClient);

beforeEach(() => {
  sm.reset();
  resetWebhookUrlCache();
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env.VENDGUARD_SLACK_SECRET;
});

describe('webhookUrl', () => {
  it('uses SLACK_WEBHOOK_URL without calling Secrets Manager', async () => {
    process.env.SLACK_WEBHOOK_URL = 'http://127.0.0.1:4566/_sandbox/slack/webhook';
    expect(await webhookUrl()).toBe('http://127.0.0.1:4566/_sandbox/slack/webhook');
    expect(sm.calls()).toHaveLength(0);
  });

  it('reads the secret named in config once per cold start', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: URL_ });
    expect(await webhookUrl()).toBe(URL_);
    expect(await webhookUrl()).toBe(URL_);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe('vendguard/slack-webhook');
  });

  it('lets VENDGUARD_SLACK_SECRET name another secret, holding JSON', async () => {
    process.env.VENDGUARD_SLACK_SECRET = 'team/slack';
    sm.on(GetSecretValueCommand, { SecretId: 'team/slack' }).resolves({ SecretString: JSON.stringify({ url: URL_ }) });
    expect(await webhookUrl()).toBe(URL_);
  });

  it('fails naming the secret when it cannot be read', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(webhookUrl()).rejects.toMatchObject({
      name: 'SlackWebhookUnavailableError',
      message: expect.stringContaining('"vendguard/slack-webhook": AccessDeniedException: denied'),
    });
  });
});

describe('urlFromSecret', () => {
  it.each([
    [URL_, URL_],
    [`  ${URL_}\n`, URL_],
    [JSON.stringify({ webhookUrl: URL_ }), URL_],
    [JSON.stringify({ webhook_url: URL_ }), URL_],
    ['not a url', undefined],
    ['{broken', undefined],
    [JSON.stringify({ other: URL_ }), undefined],
  ])('reads %j', (secret, url) => {
    expect(urlFromSecret(secret)).toBe(url);
  });
});

describe('redactSecrets', () => {
  it('removes the given URL, its scheme-less form and its path, and any Slack hook', () => {
    const text = `POST ${URL_} failed; host hooks.slack.com/services/T000/B000/abcdefSECRET; path /services/T000/B000/abcdefSECRET; other https://hooks.slack.com/services/T1/B1/zzz`;
    const out = redactSecrets(text, [URL_]);
    expect(out).not.toContain('abcdefSECRET');
    expect(out).not.toContain('zzz');
    expect(out).toContain('[redacted webhook]');
  });
});
