import { parseXML } from '@aws-sdk/xml-builder';
import { decodeQueryForm } from '../../../../../sandbox/core/protocols/query';
import { encodeQueryError, encodeQueryResponse } from '../../../../../sandbox/core/protocols/xml';
import { AwsServiceError } from '../../../../../sandbox/core/types';
import { type IamHarness, iamHarness, LAMBDA_TRUST } from './harness';

/**
 * The awsQuery round trip as the server runs it: a form body as the SDK serialises it, decoded,
 * handled, and the result encoded as the XML the SDK's IAM client parses.
 */
describe('IAM on the wire', () => {
  let h: IamHarness;

  beforeEach(() => {
    h = iamHarness();
  });
  afterEach(() => h.rt.close());

  const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

  async function roundTrip(body: string): Promise<{ xml: string; tree: Record<string, unknown> }> {
    const form = decodeQueryForm(body);
    expect(form.version).toBe('2010-05-08');
    const action = form.action as string;
    let xml: string;
    try {
      const result = await h.call(action, form.input);
      xml = encodeQueryResponse(action, h.service.xmlNamespace ?? '', result, 'req-1');
    } catch (err) {
      if (!(err instanceof AwsServiceError)) throw err;
      xml = encodeQueryError(err, 'req-1');
    }
    return { xml, tree: parseXML(xml) as Record<string, unknown> };
  }

  const form = (params: Record<string, string>) => new URLSearchParams({ Version: '2010-05-08', ...params }).toString();

  it('is the awsQuery service of signing name iam', () => {
    expect(h.service).toMatchObject({
      signingName: 'iam',
      protocol: 'awsQuery',
      xmlNamespace: NAMESPACE,
      eventSource: 'iam.amazonaws.com',
    });
  });

  it('answers CreateRole with <CreateRoleResponse><CreateRoleResult><Role> and tags as <member> lists', async () => {
    const { xml, tree } = await roundTrip(
      form({
        Action: 'CreateRole',
        RoleName: 'builder',
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        'Tags.member.1.Key': 'team',
        'Tags.member.1.Value': 'a b',
        Description: 'builds & tests <ci>',
        MaxSessionDuration: '7200',
      }),
    );
    expect(xml).toContain(`<CreateRoleResponse xmlns="${NAMESPACE}"><CreateRoleResult><Role><Path>/</Path>`);
    const role = (tree.CreateRoleResponse as { CreateRoleResult: { Role: Record<string, unknown> } }).CreateRoleResult
      .Role;
    expect(role).toMatchObject({
      RoleName: 'builder',
      Arn: `arn:aws:iam::${h.account}:role/builder`,
      Description: 'builds & tests <ci>',
      MaxSessionDuration: '7200',
      Tags: { member: { Key: 'team', Value: 'a b' } },
    });
    expect(decodeURIComponent(role.AssumeRolePolicyDocument as string)).toBe(LAMBDA_TRUST);
    expect(new Date(role.CreateDate as string).toISOString()).toBe(h.rt.clock.now().toISOString());
  });

  it('pages ListRoles with <member> entries, IsTruncated and Marker', async () => {
    for (const name of ['a', 'b', 'c']) {
      await roundTrip(form({ Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST }));
    }
    const { tree } = await roundTrip(form({ Action: 'ListRoles', MaxItems: '2' }));
    const result = (tree.ListRolesResponse as { ListRolesResult: Record<string, unknown> }).ListRolesResult;
    expect((result.Roles as { member: { RoleName: string }[] }).member.map((r) => r.RoleName)).toEqual(['a', 'b']);
    expect(result.IsTruncated).toBe('true');
    const next = await roundTrip(form({ Action: 'ListRoles', MaxItems: '2', Marker: result.Marker as string }));
    const last = (next.tree.ListRolesResponse as { ListRolesResult: Record<string, unknown> }).ListRolesResult;
    expect(last).toMatchObject({ Roles: { member: { RoleName: 'c' } }, IsTruncated: 'false' });
    expect(last).not.toHaveProperty('Marker');
  });

  it('decodes TagKeys.member.N for UntagRole and answers an empty list as an empty element', async () => {
    await roundTrip(
      form({
        Action: 'CreateRole',
        RoleName: 'r',
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        'Tags.member.1.Key': 'a',
        'Tags.member.1.Value': '1',
      }),
    );
    await roundTrip(form({ Action: 'UntagRole', RoleName: 'r', 'TagKeys.member.1': 'a' }));
    const { xml } = await roundTrip(form({ Action: 'ListRoleTags', RoleName: 'r' }));
    expect(xml).toContain('<ListRoleTagsResult><Tags></Tags><IsTruncated>false</IsTruncated></ListRoleTagsResult>');
  });

  it('answers errors as <ErrorResponse> with the IAM code', async () => {
    const { xml } = await roundTrip(form({ Action: 'GetRole', RoleName: 'ghost' }));
    expect(xml).toContain(
      '<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ghost cannot be found.</Message></Error>',
    );
  });
});
