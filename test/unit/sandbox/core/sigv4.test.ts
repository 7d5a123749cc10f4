import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  canonicalUri,
  type ParsedAuth,
  parseAuthorization,
  type SignedRequest,
  type SigV4Rejection,
  verifySignature,
} from '../../../../sandbox/core/sigv4';

/**
 * The verifier is checked against signers it did not write: AWS's published SigV4 test suite
 * (2011 vectors with a `Date` header, 2015 vectors with `X-Amz-Date`), `@smithy/signature-v4`
 * (the signer inside every SDK v3 client) and real SDK v3 clients over HTTP. The AWS CLI
 * (botocore) is covered by test/integration/sandbox/sigv4-cli.test.ts.
 */

const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;

function parsed(req: SignedRequest): ParsedAuth {
  const auth = parseAuthorization(req);
  if ('failure' in auth) throw new Error(`${auth.failure}: ${auth.message}`);
  return auth;
}

const verify = (req: SignedRequest, nowMs = NOW, secret = SECRET) => verifySignature(req, parsed(req), secret, nowMs);

const rejection = (req: SignedRequest): SigV4Rejection => {
  const auth = parseAuthorization(req);
  if (!('failure' in auth)) throw new Error('expected a rejection');
  return auth;
};

// ---- AWS's published test suite --------------------------------------------------------------

describe('AWS SigV4 test suite vectors', () => {
  const at2011 = Date.UTC(2011, 8, 9, 23, 36, 0);
  const suite2011 = (
    url: string,
    signedHeaders: string,
    signature: string,
    extra: { method?: string; headers?: Record<string, string>; body?: string; service?: string } = {},
  ): SignedRequest => ({
    method: extra.method ?? 'GET',
    url,
    headers: {
      host: 'host.foo.com',
      date: 'Mon, 09 Sep 2011 23:36:00 GMT',
      ...extra.headers,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/${extra.service ?? 'host'}/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body: extra.body ?? '',
  });

  it.each([
    ['get-vanilla', '/', 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470'],
    [
      'get-vanilla-query-order-key',
      '/?b=foo&a=foo',
      '0dc122f3b28b831ab48ba65cb47300de53fbe91b577fe113edac383730254a3b',
    ],
    [
      'get-unreserved',
      '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
      '830cc36d03f0f84e6ee4953fbe701c1c8b71a0372c63af9255aa364dd183281e',
    ],
    ['get-relative-relative', '/foo/bar/../..', 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470'],
    ['get-slash-dot-slash', '/./foo', '910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a'],
    ['get-slash', '//', 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470'],
    ['get-slash-pointless-dot', '//foo//', 'b00392262853cfe3201e47ccf945601079e9b8a7f51ee4c3d9ee4f187aa9bf19'],
  ])('2011 %s (Date header, normalised path) verifies', (_name, url, signature) => {
    expect(verify(suite2011(url, 'date;host', signature), at2011)).toEqual({ ok: true });
  });

  it('2011 post-x-www-form-urlencoded-parameter verifies with the body hashed', () => {
    const req = suite2011(
      '/',
      'content-type;date;host',
      'b105eb10c6d318d2294de9d49dd8b031b55e3c3fe139f2e637da70511e9e7b71',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf8' },
        body: 'foo=bar',
      },
    );
    expect(verify(req, at2011)).toEqual({ ok: true });
    expect(verify({ ...req, body: 'foo=baz' }, at2011)).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
  });

  it('signs an S3 path exactly as sent, without normalising it', () => {
    const req = suite2011(
      '//foo/../bar/./',
      'date;host',
      '72407ad06b8e5750360f42e8aad9f33a0be363bcfeecdcae0aea58c99709fb4a',
      {
        service: 's3',
      },
    );
    expect(verify(req, at2011)).toEqual({ ok: true });
    expect(parsed(req).amzDate).toBe('20110909T233600Z');
  });

  const at2015 = Date.UTC(2015, 7, 30, 12, 36, 0);
  const suite2015 = (
    url: string,
    raw: [string, string][],
    signedHeaders: string,
    signature: string,
    extra: { method?: string; body?: string } = {},
  ): SignedRequest => {
    const rawHeaders = [
      ['Host', 'example.amazonaws.com'],
      ...raw,
      ['X-Amz-Date', '20150830T123600Z'],
      [
        'Authorization',
        `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      ],
    ].flat();
    const headers: Record<string, string> = {};
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as string).toLowerCase();
      headers[name] =
        headers[name] === undefined ? (rawHeaders[i + 1] as string) : `${headers[name]}, ${rawHeaders[i + 1]}`;
    }
    return { method: extra.method ?? 'GET', url, headers, rawHeaders, body: extra.body ?? '' };
  };

  it.each<[string, string, [string, string][], string, string]>([
    ['get-vanilla', '/', [], 'host;x-amz-date', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    [
      'get-vanilla-query-order-key-case',
      '/?Param2=value2&Param1=value1',
      [],
      'host;x-amz-date',
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    ],
    [
      'get-vanilla-utf8-query',
      '/?%E1%88%B4=bar',
      [],
      'host;x-amz-date',
      '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
    ],
    [
      'get-header-key-duplicate',
      '/',
      [
        ['My-Header1', 'value2'],
        ['My-Header1', 'value2'],
        ['My-Header1', 'value1'],
      ],
      'host;my-header1;x-amz-date',
      'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
    ],
    [
      'get-header-value-order',
      '/',
      [
        ['My-Header1', 'value4'],
        ['My-Header1', 'value1'],
        ['My-Header1', 'value3'],
        ['My-Header1', 'value2'],
      ],
      'host;my-header1;x-amz-date',
      '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
    ],
    [
      'get-header-value-trim',
      '/',
      [
        ['My-Header1', 'value1'],
        ['My-Header2', '"a   b   c"'],
      ],
      'host;my-header1;my-header2;x-amz-date',
      'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
    ],
  ])('2015 %s verifies', (_name, url, raw, signedHeaders, signature) => {
    expect(verify(suite2015(url, raw, signedHeaders, signature), at2015)).toEqual({ ok: true });
  });

  it('2015 post-x-www-form-urlencoded verifies and a changed body does not', () => {
    const req = suite2015(
      '/',
      [['Content-Type', 'application/x-www-form-urlencoded']],
      'content-type;host;x-amz-date',
      'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
      { method: 'POST', body: 'Param1=value1' },
    );
    expect(verify(req, at2015)).toEqual({ ok: true });
    expect(verify({ ...req, body: Buffer.from('Param1=value2') }, at2015)).toMatchObject({
      ok: false,
      failure: 'SignatureDoesNotMatch',
    });
  });

  it("needs rawHeaders for a repeated header, because node joins repeats with ', '", () => {
    const req = suite2015(
      '/',
      [
        ['My-Header1', 'value2'],
        ['My-Header1', 'value1'],
      ],
      'host;my-header1;x-amz-date',
      'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
    );
    const { rawHeaders: _, ...withoutRaw } = req;
    expect(withoutRaw.headers['my-header1']).toBe('value2, value1');
    expect(verify(withoutRaw, at2015)).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
  });
});

// ---- @smithy/signature-v4 ----------------------------------------------------------------------

interface Draft {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

interface SignOptions {
  service: string;
  region?: string;
  uriEscapePath?: boolean;
  applyChecksum?: boolean;
  sessionToken?: string;
  signedAt?: number;
}

const signerOf = (o: SignOptions) =>
  new SignatureV4({
    service: o.service,
    region: o.region ?? 'eu-west-1',
    credentials: {
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}),
    },
    sha256: Sha256,
    ...(o.uriEscapePath !== undefined ? { uriEscapePath: o.uriEscapePath } : {}),
    ...(o.applyChecksum !== undefined ? { applyChecksum: o.applyChecksum } : {}),
  });

const httpRequest = (d: Draft) =>
  new HttpRequest({
    method: d.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: d.path,
    query: d.query ?? {},
    headers: {
      host: '127.0.0.1:4566',
      ...(d.body !== undefined ? { 'content-length': String(Buffer.byteLength(d.body)) } : {}),
      ...d.headers,
    },
    ...(d.body !== undefined ? { body: d.body } : {}),
  });

/** The request as node's server sees it: the SDK's wire query string, lowercase header names. */
function onTheWire(r: HttpRequest): SignedRequest {
  const qs = buildQueryString(r.query ?? {});
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: r.method, url: r.path + (qs ? `?${qs}` : ''), headers, body: (r.body as string | undefined) ?? '' };
}

async function sdkSigned(o: SignOptions, d: Draft): Promise<SignedRequest> {
  const signed = await signerOf(o).sign(httpRequest(d), { signingDate: new Date(o.signedAt ?? NOW) });
  return onTheWire(signed as HttpRequest);
}

async function sdkPresigned(o: SignOptions, d: Draft, expiresIn: number): Promise<SignedRequest> {
  const signed = await signerOf(o).presign(httpRequest(d), { signingDate: new Date(o.signedAt ?? NOW), expiresIn });
  return onTheWire(signed as HttpRequest);
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const CASES: [string, SignOptions, Draft][] = [
  [
    'an awsQuery form body (STS)',
    { service: 'sts', region: 'us-east-1' },
    { method: 'POST', path: '/', headers: FORM, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
  ],
  [
    'an awsJson1_1 body with X-Amz-Target (Organizations)',
    { service: 'organizations', region: 'us-east-1' },
    {
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts',
      },
      body: '{"MaxResults":20}',
    },
  ],
  [
    'an ec2Query form body with encoded values',
    { service: 'ec2' },
    {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a%20b%2Bc',
    },
  ],
  [
    'an S3 Control request (path as is, x-amz-account-id)',
    { service: 's3', uriEscapePath: false },
    {
      method: 'GET',
      path: '/v20180820/configuration/publicAccessBlock',
      headers: { 'x-amz-account-id': '123456789012' },
    },
  ],
  [
    'a Lambda path whose ARN is percent-encoded (signed double-encoded)',
    { service: 'lambda' },
    {
      method: 'POST',
      path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ax/invocations',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    },
  ],
  [
    'a query string with repeated, unsorted and reserved keys',
    { service: 'cloudformation' },
    {
      method: 'GET',
      path: '/',
      query: { Version: '2010-05-15', b: '2', a: ['z', 'y', 'a b'], 'c d': "e/f~*!'()", Action: 'ListStacks' },
    },
  ],
  [
    'temporary credentials (x-amz-security-token)',
    { service: 'sts', region: 'us-east-1', sessionToken: 'FwoGZXIvYXdzE//token+/=' },
    { method: 'POST', path: '/', headers: FORM, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
  ],
  [
    'a JSON body without x-amz-content-sha256 (as botocore signs)',
    { service: 'organizations', region: 'us-east-1', applyChecksum: false },
    {
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization',
      },
      body: '{}',
    },
  ],
];

describe('requests signed by @smithy/signature-v4', () => {
  it.each(CASES)('verifies %s', async (_name, options, draft) => {
    const req = await sdkSigned(options, draft);
    const auth = parsed(req);
    expect(auth).toMatchObject({
      accessKeyId: ACCESS_KEY,
      date: '20260115',
      region: options.region ?? 'eu-west-1',
      service: options.service,
      amzDate: '20260115T120000Z',
      presigned: false,
    });
    expect(auth.signedHeaders).toContain('host');
    if (options.sessionToken) expect(auth.securityToken).toBe(options.sessionToken);
    expect(verifySignature(req, auth, SECRET, NOW + 5 * MIN)).toEqual({ ok: true });
  });

  it('encodes each non-S3 path segment once more and keeps the S3 path as sent', () => {
    const path = '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ax/invocations';
    expect(canonicalUri(path, 'lambda')).toBe(
      '/2015-03-31/functions/arn%253Aaws%253Alambda%253Aeu-west-1%253A123456789012%253Afunction%253Ax/invocations',
    );
    expect(canonicalUri(path, 's3')).toBe(path);
    expect(canonicalUri('', 'sts')).toBe('/');
    expect(canonicalUri('', 's3')).toBe('/');
  });

  describe('a changed request fails', () => {
    const ORGS = CASES[1]!;
    let base: SignedRequest;
    beforeAll(async () => {
      base = await sdkSigned(ORGS[1], ORGS[2]);
    });
    const withHeaders = (headers: Record<string, string>): SignedRequest => ({
      ...base,
      headers: { ...base.headers, ...headers },
    });

    it('with one byte of the body flipped (the signed x-amz-content-sha256 no longer matches)', () => {
      const body = Buffer.from(base.body as string);
      body[5] = (body[5] ?? 0) ^ 1;
      expect(verify({ ...base, body })).toMatchObject({
        ok: false,
        failure: 'SignatureDoesNotMatch',
        contentSha256Mismatch: true,
      });
    });

    it('with one byte of the body flipped and no x-amz-content-sha256', async () => {
      const req = await sdkSigned(CASES[7]![1], CASES[7]![2]);
      expect(req.headers['x-amz-content-sha256']).toBeUndefined();
      const result = verify({ ...req, body: '[]' });
      expect(result).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
      expect(!result.ok && result.canonicalRequest).toContain(
        'x-amz-target:AWSOrganizationsV20161128.DescribeOrganization',
      );
    });

    it('with a signed header changed', () => {
      expect(verify(withHeaders({ 'x-amz-target': 'AWSOrganizationsV20161128.ListRoots' }))).toMatchObject({
        ok: false,
        failure: 'SignatureDoesNotMatch',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      });
    });

    it('with the wrong secret', () => {
      expect(verify(base, NOW, `${SECRET}x`)).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
    });

    it('with the date moved by a second', () => {
      expect(verify(withHeaders({ 'x-amz-date': '20260115T120001Z' }))).toMatchObject({
        ok: false,
        failure: 'SignatureDoesNotMatch',
      });
    });

    it('with the date moved to another day than the credential scope', () => {
      expect(rejection(withHeaders({ 'x-amz-date': '20260116T120000Z' }))).toEqual({
        failure: 'SignatureDoesNotMatch',
        message:
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260115' != '20260116', from '20260116T120000Z'.",
      });
    });

    it('with the region of the credential scope changed', () => {
      const authorization = String(base.headers.authorization).replace('/us-east-1/', '/eu-west-1/');
      expect(verify(withHeaders({ authorization }))).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
    });

    it('with the method or path changed', () => {
      expect(verify({ ...base, method: 'PUT' })).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
      expect(verify({ ...base, url: '/x' })).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
    });

    it('but not with unsigned headers added after signing', () => {
      expect(
        verify(
          withHeaders({
            'user-agent': 'curl/8',
            'x-forwarded-for': '10.0.0.1',
            'x-amzn-trace-id': 'Root=1',
            accept: '*/*',
          }),
        ),
      ).toEqual({ ok: true });
    });
  });

  it("flags an S3 body that does not match its signed x-amz-content-sha256 with S3's message", async () => {
    const req = await sdkSigned(
      { service: 's3', uriEscapePath: false },
      {
        method: 'PUT',
        path: '/v20180820/configuration/publicAccessBlock',
        headers: { 'x-amz-account-id': '123456789012', 'content-type': 'application/xml' },
        body: '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>',
      },
    );
    expect(verify(req)).toEqual({ ok: true });
    expect(verify({ ...req, body: String(req.body).replace('true', 'fals') })).toEqual({
      ok: false,
      failure: 'SignatureDoesNotMatch',
      contentSha256Mismatch: true,
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });

  it('accepts UNSIGNED-PAYLOAD as the payload hash', async () => {
    const req = await sdkSigned(
      { service: 's3', uriEscapePath: false },
      { method: 'PUT', path: '/bucket/key', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'anything' },
    );
    expect(verify({ ...req, body: 'something else' })).toEqual({ ok: true });
  });
});

describe('the request time', () => {
  let req: SignedRequest;
  beforeAll(async () => {
    req = await sdkSigned(CASES[0]![1], CASES[0]![2]);
  });

  it('is accepted up to 15 minutes either way', () => {
    expect(verify(req, NOW + 15 * MIN)).toEqual({ ok: true });
    expect(verify(req, NOW - 15 * MIN)).toEqual({ ok: true });
  });

  it('fails with "Signature expired" more than 15 minutes later', () => {
    expect(verify(req, NOW + 15 * MIN + 1000)).toEqual({
      ok: false,
      failure: 'RequestTimeTooSkewed',
      message: 'Signature expired: 20260115T120000Z is now earlier than 20260115T120001Z (20260115T121501Z - 15 min.)',
    });
  });

  it('fails with "Signature not yet current" more than 15 minutes earlier', () => {
    expect(verify(req, NOW - 16 * MIN)).toEqual({
      ok: false,
      failure: 'RequestTimeTooSkewed',
      message:
        'Signature not yet current: 20260115T120000Z is still later than 20260115T115900Z (20260115T114400Z + 15 min.)',
    });
  });
});

describe('presigned URLs', () => {
  const STS_GET: Draft = { method: 'GET', path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } };

  it('verify until X-Amz-Expires passes, then fail with "Request has expired"', async () => {
    const req = await sdkPresigned({ service: 'sts', region: 'us-east-1' }, STS_GET, 900);
    expect(req.headers.authorization).toBeUndefined();
    expect(parsed(req)).toMatchObject({ presigned: true, expiresSeconds: 900, signedHeaders: ['host'] });
    expect(verify(req, NOW + 14 * MIN)).toEqual({ ok: true });
    expect(verify(req, NOW + 15 * MIN + 1000)).toEqual({
      ok: false,
      failure: 'ExpiredSignature',
      message: 'Request has expired',
    });
  });

  it('carry the session token in the query and fail when a parameter is changed', async () => {
    const req = await sdkPresigned({ service: 'sts', region: 'us-east-1', sessionToken: 'tok/en+=' }, STS_GET, 60);
    expect(parsed(req).securityToken).toBe('tok/en+=');
    expect(verify(req)).toEqual({ ok: true });
    const changed = { ...req, url: req.url.replace('GetCallerIdentity', 'GetSessionToken') };
    expect(verify(changed)).toMatchObject({ ok: false, failure: 'SignatureDoesNotMatch' });
  });

  it('verify an S3 URL presigned with UNSIGNED-PAYLOAD hoisted into the query', async () => {
    const req = await sdkPresigned(
      { service: 's3', uriEscapePath: false },
      { method: 'GET', path: '/bucket/a%20key', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      3600,
    );
    expect(req.url).toMatch(/x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
    expect(verify(req, NOW + 59 * MIN)).toEqual({ ok: true });
  });

  it('reject X-Amz-Expires over a week', async () => {
    const req = await sdkPresigned({ service: 'sts', region: 'us-east-1' }, STS_GET, 60);
    expect(rejection({ ...req, url: req.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') })).toEqual({
      failure: 'IncompleteSignature',
      message:
        'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    });
  });
});

describe('parseAuthorization', () => {
  const base: SignedRequest = { method: 'POST', url: '/', headers: { host: '127.0.0.1:4566' }, body: '' };
  const withAuth = (authorization: string, headers: Record<string, string> = { 'x-amz-date': '20260115T120000Z' }) => ({
    ...base,
    headers: { ...base.headers, ...headers, authorization },
  });
  const GOOD_CREDENTIAL = 'Credential=AKIDEXAMPLE/20260115/eu-west-1/sts/aws4_request';

  it('answers MissingAuthenticationToken without an Authorization header or a SigV4 one', () => {
    const missing = { failure: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
    expect(rejection(base)).toEqual(missing);
    expect(rejection(withAuth('Basic dXNlcjpwYXNz'))).toEqual(missing);
    expect(rejection(withAuth('AWS AKIDEXAMPLE:c2lnbmF0dXJl'))).toEqual(missing);
  });

  it('lists every missing part of the header, as AWS does', () => {
    expect(rejection(withAuth('AWS4-HMAC-SHA256 Foo=bar', {}))).toEqual({
      failure: 'IncompleteSignature',
      message:
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Foo=bar",
    });
  });

  it('rejects a part without an equal sign', () => {
    const header = `AWS4-HMAC-SHA256 ${GOOD_CREDENTIAL}, SignedHeaders, Signature=ab`;
    expect(rejection(withAuth(header))).toEqual({
      failure: 'IncompleteSignature',
      message: `'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
    });
  });

  it('rejects a date that is not ISO 8601 basic format', () => {
    const header = `AWS4-HMAC-SHA256 ${GOOD_CREDENTIAL}, SignedHeaders=host, Signature=ab`;
    expect(rejection(withAuth(header, { 'x-amz-date': '2026-01-15T12:00:00Z' }))).toEqual({
      failure: 'IncompleteSignature',
      message:
        "Date must be in ISO-8601 'basic format'. Got '2026-01-15T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
  });

  it('rejects another algorithm, a short credential and an unsigned host', () => {
    expect(rejection(withAuth(`AWS4-ECDSA-P256-SHA256 ${GOOD_CREDENTIAL}, SignedHeaders=host, Signature=ab`))).toEqual({
      failure: 'IncompleteSignature',
      message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). ",
    });
    expect(
      rejection(withAuth('AWS4-HMAC-SHA256 Credential=AKID/20260115/eu-west-1/sts, SignedHeaders=host, Signature=ab')),
    ).toEqual({
      failure: 'IncompleteSignature',
      message:
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260115/eu-west-1/sts'",
    });
    expect(rejection(withAuth(`AWS4-HMAC-SHA256 ${GOOD_CREDENTIAL}, SignedHeaders=x-amz-date, Signature=ab`))).toEqual({
      failure: 'SignatureDoesNotMatch',
      message: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  it('rejects a wrong scope terminator', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=AKID/20260115/eu-west-1/sts/aws5_request, SignedHeaders=host, Signature=ab';
    expect(rejection(withAuth(header))).toEqual({
      failure: 'SignatureDoesNotMatch',
      message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    });
  });

  it('refuses both an Authorization header and a presigned query', () => {
    const req = {
      ...withAuth(`AWS4-HMAC-SHA256 ${GOOD_CREDENTIAL}, SignedHeaders=host, Signature=ab`),
      url: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256',
    };
    expect(rejection(req)).toEqual({
      failure: 'SignatureDoesNotMatch',
      message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    });
  });

  it('lists the missing parameters of a presigned query', () => {
    expect(rejection({ ...base, url: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260115T120000Z' })).toEqual({
      failure: 'IncompleteSignature',
      message:
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    });
  });
});

// ---- real SDK v3 clients over HTTP -------------------------------------------------------------

interface Seen {
  service: string;
  ok: boolean;
  failure?: string;
}

/** A server that verifies every request with the module and answers just enough for the SDK. */
async function verifyingServer(
  secrets: Record<string, string>,
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const signed: SignedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
    };
    const auth = parseAuthorization(signed);
    const service = 'failure' in auth ? 'unknown' : auth.service;
    const secret = 'failure' in auth ? undefined : secrets[auth.accessKeyId];
    const result =
      'failure' in auth
        ? { ok: false as const, ...auth }
        : secret === undefined
          ? { ok: false as const, failure: 'InvalidClientTokenId', message: '' }
          : verifySignature(signed, auth, secret, Date.now());
    seen.push(result.ok ? { service, ok: true } : { service, ok: false, failure: result.failure });
    if (!result.ok) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(result.failure);
      return;
    }
    const xml = (s: string) => res.writeHead(200, { 'content-type': 'text/xml' }).end(s);
    if (service === 'sts') {
      xml(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    } else if (service === 'ec2') {
      xml(
        '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>',
      );
    } else if (service === 's3') {
      xml(
        '<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>',
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"Accounts":[]}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('real SDK v3 clients against a verifying server', () => {
  let srv: Awaited<ReturnType<typeof verifyingServer>>;
  beforeAll(async () => {
    srv = await verifyingServer({ [ACCESS_KEY]: SECRET, ASIATEMPORARY: 'temporary-secret' });
  });
  afterAll(() => new Promise<void>((resolve) => srv.server.close(() => resolve())));
  beforeEach(() => {
    srv.seen.length = 0;
  });

  const config = (secret = SECRET, accessKeyId = ACCESS_KEY, sessionToken?: string) => ({
    endpoint: srv.url,
    region: 'eu-west-1',
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey: secret, ...(sessionToken ? { sessionToken } : {}) },
  });

  it('verifies STS GetCallerIdentity, Organizations ListAccounts and EC2 DescribeVpcs', async () => {
    const me = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('123456789012');
    await new OrganizationsClient(config()).send(new ListAccountsCommand({}));
    await new EC2Client(config()).send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['a b+c/d', 'é'] }] }),
    );
    expect(srv.seen).toEqual([
      { service: 'sts', ok: true },
      { service: 'organizations', ok: true },
      { service: 'ec2', ok: true },
    ]);
  });

  it('verifies temporary credentials with a session token', async () => {
    await new STSClient(config('temporary-secret', 'ASIATEMPORARY', 'session/token+=')).send(
      new GetCallerIdentityCommand({}),
    );
    expect(srv.seen).toEqual([{ service: 'sts', ok: true }]);
  });

  it('verifies S3 Control reads and writes', async () => {
    const client = new S3ControlClient({ ...config(), endpointProvider: () => ({ url: new URL(srv.url) }) });
    await client.send(new GetPublicAccessBlockCommand({ AccountId: '123456789012' }));
    await client.send(
      new PutPublicAccessBlockCommand({
        AccountId: '123456789012',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      }),
    );
    expect(srv.seen).toEqual([
      { service: 's3', ok: true },
      { service: 's3', ok: true },
    ]);
  });

  it('rejects a client with the wrong secret', async () => {
    await expect(new STSClient(config('not-the-secret')).send(new GetCallerIdentityCommand({}))).rejects.toThrow();
    await expect(new EC2Client(config('not-the-secret')).send(new DescribeVpcsCommand({}))).rejects.toThrow();
    expect(srv.seen).toEqual([
      { service: 'sts', ok: false, failure: 'SignatureDoesNotMatch' },
      { service: 'ec2', ok: false, failure: 'SignatureDoesNotMatch' },
    ]);
  });
});
