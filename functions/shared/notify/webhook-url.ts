/**
 * Where the webhook URL comes from: `SLACK_WEBHOOK_URL` (local, sandbox), else the Secrets Manager
 * secret named by `VENDGUARD_SLACK_SECRET` or config `slack.webhookSecretName`, read once per cold
 * start. The URL is a secret: it is never logged and never put in an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClient } from '../aws';
import { organizationConfig } from '../config';
import { redactSecrets, SlackWebhookUnavailableError } from './errors';

/** The URL read from the secret, with where it was read (secret name and endpoint). */
let cached: { readonly from: string; readonly url: string } | undefined;

/** Reads the URL out of a secret string: the URL itself, or JSON with `url`, `webhookUrl` or `webhook_url`. */
export function urlFromSecret(secret: string): string | undefined {
  const trimmed = secret.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith('{')) {
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>;
      candidate = obj.url ?? obj.webhookUrl ?? obj.webhook_url;
    } catch {
      return undefined;
    }
  }
  return typeof candidate === 'string' && /^https?:\/\/\S+$/.test(candidate) ? candidate : undefined;
}

/**
 * The webhook URL to post to.
 *
 * @param secrets - the Secrets Manager client (tests inject one)
 * @throws {@link SlackWebhookUnavailableError} naming the secret, never the URL
 */
export async function webhookUrl(secrets?: Pick<SecretsManagerClient, 'send'>): Promise<string> {
  const local = process.env.SLACK_WEBHOOK_URL;
  if (local) return local;
  const name = process.env.VENDGUARD_SLACK_SECRET || organizationConfig().slack.webhookSecretName;
  // one read per execution environment; a process that talks to another endpoint (several sandboxes
  // in one test process) reads again
  const from = `${name}@${process.env.AWS_ENDPOINT_URL ?? ''}`;
  if (cached?.from === from) return cached.url;
  let value: string | undefined;
  try {
    const client = secrets ?? awsClient(SecretsManagerClient);
    const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
    value = out.SecretString;
  } catch (err) {
    const e = err as Error;
    throw new SlackWebhookUnavailableError(
      `cannot read the Slack webhook secret "${name}": ${e.name}: ${redactSecrets(e.message ?? '')}`,
    );
  }
  const url = value ? urlFromSecret(value) : undefined;
  if (!url) {
    throw new SlackWebhookUnavailableError(
      `the Slack webhook secret "${name}" holds no URL (expected the URL or JSON with "url")`,
    );
  }
  cached = { from, url };
  return url;
}

/** Forgets the cached URL (tests, and after the secret was rotated). */
export function resetWebhookUrlCache(): void {
  cached = undefined;
}
