import { decodeQueryForm } from '../../../../../sandbox/core/protocols/query';

describe('decodeQueryForm', () => {
  it('decodes member lists of structures', () => {
    const { action, version, input } = decodeQueryForm(
      'Action=CreateStackInstances&Version=2010-05-15&StackSetName=s&Regions.member.1=eu-west-1&Regions.member.2=us-east-1&DeploymentTargets.OrganizationalUnitIds.member.1=ou-1&Parameters.member.1.ParameterKey=K&Parameters.member.1.ParameterValue=V',
    );
    expect(action).toBe('CreateStackInstances');
    expect(version).toBe('2010-05-15');
    expect(input).toEqual({
      StackSetName: 's',
      Regions: ['eu-west-1', 'us-east-1'],
      DeploymentTargets: { OrganizationalUnitIds: ['ou-1'] },
      Parameters: [{ ParameterKey: 'K', ParameterValue: 'V' }],
    });
  });

  it('decodes EC2 numbered lists and filters in index order', () => {
    const { input } = decodeQueryForm(
      'Action=DescribeInternetGateways&Filter.2.Name=b&Filter.2.Value.1=y&Filter.1.Name=a&Filter.1.Value.1=x&Filter.1.Value.2=z&InternetGatewayId.1=igw-1',
    );
    expect(input).toEqual({
      Filter: [
        { Name: 'a', Value: ['x', 'z'] },
        { Name: 'b', Value: ['y'] },
      ],
      InternetGatewayId: ['igw-1'],
    });
  });

  it('decodes entry maps and URL escapes', () => {
    const { input } = decodeQueryForm('Tags.entry.1.key=team&Tags.entry.1.value=a%20b&Policy=%7B%22x%22%3A1%7D');
    expect(input).toEqual({ Tags: { team: 'a b' }, Policy: '{"x":1}' });
  });

  it('tolerates garbage without throwing', () => {
    expect(() => decodeQueryForm('%%%&&==&a..b=1')).not.toThrow();
    expect(decodeQueryForm('').action).toBeUndefined();
  });
});
