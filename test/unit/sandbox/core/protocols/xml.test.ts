import {
  encodeEc2Response,
  encodeQueryError,
  encodeQueryResponse,
  escapeXml,
} from '../../../../../sandbox/core/protocols/xml';
import { AwsServiceError } from '../../../../../sandbox/core/types';

describe('XML encoding', () => {
  it('wraps awsQuery results in OpResult with member lists and ISO dates', () => {
    const xml = encodeQueryResponse(
      'ListThings',
      'https://example.com/doc/',
      { Things: [{ Name: 'a&b', At: new Date('2026-01-02T03:04:05Z') }], Done: true },
      'req-1',
    );
    expect(xml).toContain('<ListThingsResponse xmlns="https://example.com/doc/"><ListThingsResult>');
    expect(xml).toContain('<Things><member><Name>a&amp;b</Name><At>2026-01-02T03:04:05.000Z</At></member></Things>');
    expect(xml).toContain('<Done>true</Done></ListThingsResult><ResponseMetadata><RequestId>req-1</RequestId>');
  });

  it('lower-cames EC2 keys and uses item lists after requestId', () => {
    const xml = encodeEc2Response('DescribeVpcs', { VpcSet: [{ VpcId: 'vpc-1' }], return: true }, 'r');
    expect(xml).toContain(
      '<requestId>r</requestId><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet><return>true</return>',
    );
  });

  it('encodes errors with type, code and escaped message', () => {
    const xml = encodeQueryError(new AwsServiceError('Bad', 'x < y'), 'r');
    expect(xml).toContain(
      '<Error><Type>Sender</Type><Code>Bad</Code><Message>x &lt; y</Message></Error><RequestId>r</RequestId>',
    );
    expect(escapeXml(`'"`)).toBe('&apos;&quot;');
  });
});
