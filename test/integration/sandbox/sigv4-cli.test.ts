import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorization, type SignedRequest, verifySignature } from '../../../sandbox/core/sigv4';

/**
 * The AWS CLI (botocore) signs the way the verifier expects: form bodies, JSON bodies, a
 * percent-encoded REST path, temporary credentials. Skipped when `aws` is not on PATH.
 */

const awsPath = (() => {
  try {
    return execFileSync('which', ['aws'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TEMP_KEY = 'ASIAIOSFODNN7EXAMPLE';
const TEMP_SECRET = 'temporary+secret/key';

interface Seen {
  service: string;
  method: string;
  path: string;
  ok: boolean;
  failure?: string;
}

const REPLIES: Readonly<Record<string, { type: string; body: string }>> = {
  sts: {
    type: 'text/xml',
    body: '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/cli</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
  },
  ec2: {
    type: 'text/xml',
    body: '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>',
  },
  organizations: { type: 'application/x-amz-json-1.1', body: '{"Accounts":[]}' },
  lambda: { type: 'application/json', body: '{"Configuration":{"FunctionName":"x"}}' },
};

let server: Server;
let endpoint = '';
const seen: Seen[] = [];

beforeAll(async () => {
  const secrets: Record<string, string> = { [ACCESS_KEY]: SECRET, [TEMP_KEY]: TEMP_SECRET };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signed: SignedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      const auth = parseAuthorization(signed);
      const secret = 'failure' in auth ? undefined : secrets[auth.accessKeyId];
      const result =
        'failure' in auth
          ? { ok: false as const, failure: auth.failure }
          : secret === undefined
            ? { ok: false as const, failure: 'InvalidClientTokenId' }
            : verifySignature(signed, auth, secret, Date.now());
      const service = 'failure' in auth ? 'unknown' : auth.service;
      const path = signed.url.split('?')[0] ?? '/';
      seen.push({
        service,
        method: signed.method,
        path,
        ok: result.ok,
        ...(result.ok ? {} : { failure: result.failure }),
      });
      const reply = REPLIES[service];
      if (!result.ok || !reply) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end(result.ok ? 'unknown service' : result.failure);
        return;
      }
      res.writeHead(200, { 'content-type': reply.type }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen.length = 0;
});

/** Runs the CLI with only the given credentials: no config files, no retries, no instance metadata. */
function aws(
  args: string[],
  credentials: { key: string; secret: string; token?: string } = { key: ACCESS_KEY, secret: SECRET },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: credentials.key,
    AWS_SECRET_ACCESS_KEY: credentials.secret,
    ...(credentials.token ? { AWS_SESSION_TOKEN: credentials.token } : {}),
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  });
  return new Promise((resolve) => {
    execFile(
      awsPath,
      [...args, '--endpoint-url', endpoint, '--output', 'json'],
      { env, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

(awsPath ? describe : describe.skip)('the AWS CLI against the SigV4 verifier', () => {
  it('verifies sts get-caller-identity with temporary credentials', async () => {
    const out = await aws(['sts', 'get-caller-identity'], {
      key: TEMP_KEY,
      secret: TEMP_SECRET,
      token: 'FwoG/session+token=',
    });
    expect(seen).toEqual([{ service: 'sts', method: 'POST', path: '/', ok: true }]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ Account: '123456789012' });
  }, 60_000);

  it('verifies ec2 describe-vpcs with filters in the form body', async () => {
    const out = await aws([
      'ec2',
      'describe-vpcs',
      '--region',
      'eu-west-1',
      '--filters',
      'Name=tag:Name,Values=a b+c/d',
    ]);
    expect(seen).toEqual([{ service: 'ec2', method: 'POST', path: '/', ok: true }]);
    expect(out.code).toBe(0);
  }, 60_000);

  it('verifies organizations list-accounts (awsJson1_1)', async () => {
    const out = await aws(['organizations', 'list-accounts', '--region', 'us-east-1']);
    expect(seen).toEqual([{ service: 'organizations', method: 'POST', path: '/', ok: true }]);
    expect(out.code).toBe(0);
  }, 60_000);

  it('verifies a REST path the CLI percent-encodes (lambda get-function by ARN)', async () => {
    await aws(['lambda', 'get-function', '--function-name', 'arn:aws:lambda:eu-west-1:123456789012:function:x']);
    expect(seen).toEqual([
      {
        service: 'lambda',
        method: 'GET',
        path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ax',
        ok: true,
      },
    ]);
  }, 60_000);

  it('rejects the wrong secret with SignatureDoesNotMatch', async () => {
    const out = await aws(['sts', 'get-caller-identity'], { key: ACCESS_KEY, secret: 'not-the-secret' });
    expect(out.code).not.toBe(0);
    expect(seen).toEqual([{ service: 'sts', method: 'POST', path: '/', ok: false, failure: 'SignatureDoesNotMatch' }]);
  }, 60_000);
});
