import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * A raw HTTP request to the sandbox, SigV4-signed as an SDK would sign it, for tests that send
 * bodies no SDK would produce (malformed JSON, unknown actions) and must still get past
 * authentication to reach the codec under test.
 *
 * @example
 * const res = await signedFetch(sb.endpoint, '{not json', { 'x-amz-target': 'AWSOrganizationsV20161128.ListRoots', 'content-type': 'application/x-amz-json-1.1' }, { service: 'organizations', region: 'us-east-1' });
 */
export async function signedFetch(
  endpoint: string,
  body: string,
  headers: Record<string, string>,
  scope: { service: string; region: string; credentials?: AwsCredentialIdentity },
): Promise<Response> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: scope.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { ...headers, host: url.host },
    body,
  });
  const signed = await signer.sign(request);
  const { host: _host, ...sent } = signed.headers;
  return fetch(`${endpoint}/`, { method: 'POST', body, headers: sent });
}
