/**
 * `Fn::Cidr` as the CloudFormation guide documents it (`[ipBlock, count, cidrBits]`, cidrBits the host
 * bits of each block), nested in `Fn::Select` and in another `Fn::Cidr`, fed by `Ref` and
 * `Fn::GetAtt`; and the template errors of `Fn::Cidr` and `Fn::Select`.
 */
import { cidrBlocks } from '../../../../../sandbox/services/cloudformation/intrinsics';
import {
  parseTemplate,
  ResolvedTemplate,
  type StackContext,
  type Template,
  TemplateError,
} from '../../../../../sandbox/services/cloudformation/template';

const stack = (overrides: Partial<StackContext> = {}): StackContext => ({
  account: '111122223333',
  region: 'eu-west-1',
  stackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/net/5d6e7f80-0000-4000-8000-000000000003',
  stackName: 'net',
  parameters: [],
  ...overrides,
});

/** The resolved `Value` property of the template's one resource. */
function resolvedValue(yaml: string, context: Partial<StackContext> = {}): unknown {
  const template = parseTemplate(yaml) as Template;
  const props = template.Resources?.R?.Properties ?? {};
  return (new ResolvedTemplate(template, stack(context)).resolve(props) as { Value?: unknown }).Value;
}

const resource = (value: string, parameters = '') =>
  `${parameters}Resources:\n  R:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: ${value}\n`;

function templateError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  throw new Error('expected a template error');
}

describe('Fn::Cidr', () => {
  it('splits a block into count blocks of cidrBits host bits, from its start (the guide example)', () => {
    expect(resolvedValue(resource('!Cidr ["192.168.0.0/24", 6, 5]'))).toEqual([
      '192.168.0.0/27',
      '192.168.0.32/27',
      '192.168.0.64/27',
      '192.168.0.96/27',
      '192.168.0.128/27',
      '192.168.0.160/27',
    ]);
    // the JSON example gives count and cidrBits as strings
    const json = JSON.stringify({
      Resources: { R: { Properties: { Value: { 'Fn::Cidr': ['192.168.0.0/24', '6', '5'] } } } },
    });
    expect(resolvedValue(json)).toHaveLength(6);
    // 8 host bits are a /24
    expect(cidrBlocks('10.0.0.0/16', 2, 8)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
  });

  it('takes its arguments from Ref and Fn::GetAtt, and nests in Fn::Select and in another Fn::Cidr', () => {
    const parameters = 'Parameters:\n  Bits:\n    Type: Number\n    Default: 12\n';
    const context = {
      attribute: (id: string, attr: string) => (id === 'Vpc' && attr === 'CidrBlock' ? '10.64.0.0/18' : undefined),
    };
    expect(
      resolvedValue(resource('!Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, !Ref Bits]]', parameters), context),
    ).toBe('10.64.16.0/20');
    // two /28s at the start of the last quarter, as the network baselines carve their transit subnets
    expect(
      resolvedValue(
        resource('!Cidr [!Select [3, !Cidr [!GetAtt Vpc.CidrBlock, 4, !Ref Bits]], 2, 4]', parameters),
        context,
      ),
    ).toEqual(['10.64.48.0/28', '10.64.48.16/28']);
    expect(
      resolvedValue(resource('!Select [0, !Cidr [!Ref Block, 1, 8]]', 'Parameters:\n  Block:\n    Type: String\n'), {
        parameters: [{ ParameterKey: 'Block', ParameterValue: '172.16.5.9/16' }],
      }),
    ).toBe('172.16.0.0/24');
  });

  it('splits IPv6 blocks with 128 minus cidrBits as their prefix', () => {
    expect(cidrBlocks('2600:1f14:abc:de00::/56', 2, 64)).toEqual([
      '2600:1f14:abc:de00::/64',
      '2600:1f14:abc:de01::/64',
    ]);
  });

  it('fails with a template error for what is no CIDR block, a count outside 1–256 and blocks that do not fit', () => {
    expect(templateError(() => cidrBlocks('10.0.0/16', 1, 8))).toBe(
      'Template error: Fn::Cidr ipBlock 10.0.0/16 is not a valid CIDR block',
    );
    expect(templateError(() => cidrBlocks(undefined, 1, 8))).toMatch(/^Template error: Fn::Cidr ipBlock undefined /);
    expect(templateError(() => cidrBlocks('10.0.0.0/16', 0, 8))).toBe(
      'Template error: Fn::Cidr count must be an integer between 1 and 256, got 0',
    );
    expect(templateError(() => cidrBlocks('10.0.0.0/8', 257, 8))).toContain('between 1 and 256, got 257');
    expect(templateError(() => cidrBlocks('10.0.0.0/16', '2.5', 8))).toContain('got 2.5');
    expect(templateError(() => cidrBlocks('10.0.0.0/24', 1, 9))).toBe(
      'Template error: Fn::Cidr cidrBits must be an integer between 1 and 8 (the host bits of 10.0.0.0/24), got 9',
    );
    expect(templateError(() => cidrBlocks('10.0.0.0/24', 9, 5))).toBe(
      'Template error: Fn::Cidr cannot fit 9 blocks of /27 in 10.0.0.0/24',
    );
    // 256 blocks of the whole space fit exactly
    expect(cidrBlocks('10.0.0.0/16', 256, 8).at(-1)).toBe('10.0.255.0/24');
    expect(templateError(() => resolvedValue(resource('!Cidr ["10.0.0.0/16", 4]')))).toMatch(
      /^Template error: every Fn::Cidr object requires three parameters/,
    );
  });
});

describe('Fn::Select', () => {
  it("fails past the end of its list with AWS's template error", () => {
    expect(resolvedValue(resource('!Select [2, !GetAZs ""]'))).toBe('eu-west-1c');
    expect(templateError(() => resolvedValue(resource('!Select [3, !GetAZs ""]')))).toBe(
      'Template error: Fn::Select cannot select nonexistent value at index 3',
    );
    expect(templateError(() => resolvedValue(resource('!Select [4, !Cidr ["10.0.0.0/16", 4, 8]]')))).toBe(
      'Template error: Fn::Select cannot select nonexistent value at index 4',
    );
    // an attribute the stack does not know is no list
    expect(templateError(() => resolvedValue(resource('!Select [0, !GetAtt Vpc.Ipv6CidrBlocks]')))).toMatch(
      /^Template error: Fn::Select requires a list argument/,
    );
  });
});
