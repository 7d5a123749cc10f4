import { InvalidEventPatternError } from '../../../../../sandbox/services/eventbridge/errors';
import {
  compileEventPattern,
  eventPatternProblem,
  matchesEventPattern,
} from '../../../../../sandbox/services/eventbridge/pattern';

/** The EC2 sample event of the user guide's "Event patterns" page, with the detail we vary per case. */
function ec2(detail: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail,
    ...extra,
  };
}

/** The CloudTrail envelope our guardrail rules match (events/samples/aws.ec2). */
function cloudTrail(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '11111111-2222-4333-8444-555555555555',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: '222233334444',
    time: '2026-11-26T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: { eventSource: 'ec2.amazonaws.com', eventName: 'CreateInternetGateway', ...detail },
  };
}

const HUMAN = { type: 'AssumedRole', arn: 'arn:aws:sts::222233334444:assumed-role/Developer/alice' };
const REMEDIATION = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::222233334444:assumed-role/VendguardGuardrailRemediation/vendguard',
};

type Case = readonly [
  name: string,
  pattern: Record<string, unknown>,
  event: Record<string, unknown>,
  expected: boolean,
];

// Each case names the user-guide section it comes from:
// [patterns] "Amazon EventBridge event patterns" / "Event pattern syntax"
// [values] "Matching events on event field values"
// [arrays] "Arrays in Amazon EventBridge event patterns"
// [null] "Matching events on null values and empty strings"
// [content:<filter>] "Content filtering in Amazon EventBridge event patterns", filter section <filter>
// [operators] "Comparison operators for use in event patterns" (summary table)
const CASES: readonly Case[] = [
  // [patterns] the EC2 instance-termination pattern
  [
    'matches the documented instance-termination event',
    {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    ec2({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' }),
    true,
  ],
  [
    'rejects another state',
    { source: ['aws.ec2'], detail: { state: ['terminated'] } },
    ec2({ state: 'running' }),
    false,
  ],
  // [patterns] "the event must contain all the field names listed in the pattern"
  ['rejects an event without a pattern field', { detail: { state: ['terminated'] } }, ec2({}), false],
  // [patterns] "with the same nesting structure"
  [
    'rejects a field at another nesting level',
    { detail: { state: ['terminated'] } },
    ec2({}, { state: 'terminated' }),
    false,
  ],
  // [patterns] matching is exact, character for character, case-sensitive
  ['is case-sensitive for exact values', { source: ['aws.EC2'] }, ec2({}), false],
  // [patterns] "Matching event values": source is aws.ec2 or aws.fargate
  ['matches any value of a field array (OR)', { source: ['aws.fargate', 'aws.ec2'] }, ec2({}), true],
  ['rejects when no value of the array matches', { source: ['aws.fargate', 'aws.s3'] }, ec2({}), false],
  // [values] the Macie severity/count example
  [
    'matches numbers and nested objects (Macie finding)',
    { source: ['aws.macie'], detail: { severity: { score: [1] }, count: [2] } },
    { source: 'aws.macie', detail: { severity: { score: 1, description: 'Low' }, count: 2 } },
    true,
  ],
  [
    'compares numbers numerically (300 matches 300.0)',
    { detail: { size: [300] } },
    JSON.parse('{"detail":{"size":300.0}}'),
    true,
  ],
  ['does not match a number against its string', { detail: { size: [300] } }, ec2({ size: '300' }), false],
  ['does not match a string against a number', { detail: { size: ['300'] } }, ec2({ size: 300 }), false],
  ['matches booleans', { detail: { encrypted: [false] } }, ec2({ encrypted: false }), true],
  [
    'does not match a boolean against its string',
    { detail: { encrypted: [false] } },
    ec2({ encrypted: 'false' }),
    false,
  ],
  // [arrays] resources intersection
  [
    'matches when the pattern array and the event array intersect',
    {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    true,
  ],
  [
    'rejects when the arrays do not intersect',
    { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-00000000'] },
    false,
  ],
  // [arrays] arrays of objects: each field is evaluated independently across the elements
  [
    'evaluates each field independently across an array of objects',
    { detail: { items: { name: ['a'], color: ['red'] } } },
    ec2({
      items: [
        { name: 'a', color: 'blue' },
        { name: 'b', color: 'red' },
      ],
    }),
    true,
  ],
  [
    'rejects an array of objects where one field never matches',
    { detail: { items: { name: ['a'], color: ['green'] } } },
    ec2({
      items: [
        { name: 'a', color: 'blue' },
        { name: 'b', color: 'red' },
      ],
    }),
    false,
  ],
  ['flattens multi-dimensional arrays', { detail: { ids: [3] } }, ec2({ ids: [[1, 2], [3]] }), true],
  // [null]
  [
    'matches an empty string',
    { detail: { eventVersion: [''] } },
    ec2({ eventVersion: '', responseElements: null }),
    true,
  ],
  ['matches null', { detail: { responseElements: [null] } }, ec2({ eventVersion: '', responseElements: null }), true],
  [
    'does not match null with an empty string',
    { detail: { responseElements: [''] } },
    ec2({ responseElements: null }),
    false,
  ],
  ['does not match an empty string with null', { detail: { eventVersion: [null] } }, ec2({ eventVersion: '' }), false],
  ['does not match an absent field with null', { detail: { responseElements: [null] } }, ec2({}), false],
  // [content:Prefix matching]
  ['matches a prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
  ['rejects another prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' }, false],
  ['does not apply prefix to numbers', { detail: { n: [{ prefix: '12' }] } }, ec2({ n: 123 }), false],
  // [content:Prefix matching while ignoring case]
  [
    'matches a prefix ignoring case',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    ec2({ service: 'eventbridge' }),
    true,
  ],
  // [content:Suffix matching]
  ['matches a suffix', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
  ['rejects another suffix', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' }, false],
  // [content:Suffix matching while ignoring case]
  [
    'matches a suffix ignoring case',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    ec2({ FileName: 'IMAGE.PNG' }),
    true,
  ],
  // [content:Anything-but matching] string, number, lists
  [
    'anything-but string matches another value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2({ state: 'running' }),
    true,
  ],
  [
    'anything-but string rejects the value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2({ state: 'initializing' }),
    false,
  ],
  [
    'anything-but number matches another number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    ec2({ 'x-limit': 301.8 }),
    true,
  ],
  [
    'anything-but number rejects the number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    ec2({ 'x-limit': 123 }),
    false,
  ],
  [
    'anything-but list of strings rejects a listed value',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    ec2({ state: 'overloaded' }),
    false,
  ],
  [
    'anything-but list of numbers matches an unlisted number',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    ec2({ 'x-limit': 301.8 }),
    true,
  ],
  [
    'anything-but does not match an absent field',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2({}),
    false,
  ],
  // [content:Anything-but matching] prefix / suffix / ignore case / wildcard
  [
    'anything-but prefix',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    ec2({ state: 'initializing' }),
    false,
  ],
  [
    'anything-but prefix matches others',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    ec2({ state: 'running' }),
    true,
  ],
  [
    'anything-but suffix',
    { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    ec2({ FileName: 'notes.txt' }),
    false,
  ],
  [
    'anything-but equals-ignore-case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    ec2({ state: 'INITIALIZING' }),
    false,
  ],
  [
    'anything-but equals-ignore-case list',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] } },
    ec2({ state: 'running' }),
    true,
  ],
  [
    'anything-but wildcard',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    ec2({ FilePath: '/usr/lib/libc.so' }),
    false,
  ],
  [
    'anything-but wildcard list',
    { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    ec2({ FilePath: '/home/alice/notes' }),
    true,
  ],
  // [content:Numeric matching]
  [
    'matches numeric ranges and equality',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    ec2({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 }),
    true,
  ],
  [
    'rejects a value outside the range',
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    ec2({ 'c-count': 6 }),
    false,
  ],
  ['excludes an open bound', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, ec2({ 'c-count': 0 }), false],
  [
    'applies numeric only to JSON numbers',
    { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    ec2({ 'c-count': '5' }),
    false,
  ],
  ['matches >= on the bound', { detail: { price: [{ numeric: ['>=', 10] }] } }, ec2({ price: 10 }), true],
  // [content:IP address matching]
  [
    'matches an IPv4 CIDR',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    ec2({ sourceIPAddress: '10.0.0.255' }),
    true,
  ],
  [
    'rejects an address outside the IPv4 CIDR',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    ec2({ sourceIPAddress: '10.0.1.0' }),
    false,
  ],
  [
    'matches an IPv6 CIDR',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } },
    ec2({ sourceIPAddress: '2001:db8::1' }),
    true,
  ],
  [
    'rejects an address outside the IPv6 CIDR',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } },
    ec2({ sourceIPAddress: '2001:db8:0:1::1' }),
    false,
  ],
  [
    'does not match a hostname against a CIDR',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
    ec2({ sourceIPAddress: 'ec2.amazonaws.com' }),
    false,
  ],
  // [content:Exists matching]
  ['exists true matches a present field', { detail: { state: [{ exists: true }] } }, ec2({ state: 'running' }), true],
  ['exists true rejects an absent field', { detail: { state: [{ exists: true }] } }, ec2({}), false],
  ['exists false matches an absent field', { detail: { state: [{ exists: false }] } }, ec2({}), true],
  [
    'exists false rejects a present field',
    { detail: { state: [{ exists: false }] } },
    ec2({ state: 'running' }),
    false,
  ],
  [
    'exists false matches an intermediate (object) node',
    { detail: { 'c-count': [{ exists: false }] } },
    ec2({ 'c-count': { c1: 100 } }),
    true,
  ],
  [
    'exists true does not match an intermediate node',
    { detail: { 'c-count': [{ exists: true }] } },
    ec2({ 'c-count': { c1: 100 } }),
    false,
  ],
  ['exists true matches a null value', { detail: { state: [{ exists: true }] } }, ec2({ state: null }), true],
  // [content:Equals-ignore-case matching]
  [
    'matches equals-ignore-case',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    ec2({}),
    true,
  ],
  [
    'rejects a different string ignoring case',
    { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
    ec2({ name: 'Alicia' }),
    false,
  ],
  // [content:Matching using wildcards]
  [
    'matches a wildcard',
    { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/vendguard' },
    true,
  ],
  [
    'matches a wildcard in the middle',
    { detail: { title: [{ wildcard: '*Title*' }] } },
    ec2({ title: 'The Title here' }),
    true,
  ],
  ['matches dir/*.png', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, ec2({ FileName: 'dir/a.png' }), true],
  [
    'rejects dir/*.png in another folder',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    ec2({ FileName: 'other/a.png' }),
    false,
  ],
  [
    'treats an escaped star literally',
    { detail: { FileName: [{ wildcard: 'dir/\\*.png' }] } },
    ec2({ FileName: 'dir/a.png' }),
    false,
  ],
  [
    'matches an escaped star',
    { detail: { FileName: [{ wildcard: 'dir/\\*.png' }] } },
    ec2({ FileName: 'dir/*.png' }),
    true,
  ],
  ['treats regex characters literally', { detail: { v: [{ wildcard: 'a.c*' }] } }, ec2({ v: 'abc' }), false],
  // [content:Complex example]
  [
    'matches the documented complex example',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    {
      time: '2017-10-02T16:24:49Z',
      detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running' },
    },
    true,
  ],
  // [content:$or matching]
  [
    '$or matches when one alternative does',
    {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    ec2({ 'c-count': 50, 'd-count': 3 }),
    true,
  ],
  [
    '$or rejects when no alternative does',
    { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } },
    ec2({ 'c-count': 50, 'd-count': 30 }),
    false,
  ],
  [
    '$or combines with AND fields and nests',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    true,
  ],
  [
    'nested $or requires its own alternative',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    },
    { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 7 },
    false,
  ],
  // [operators] Empty: LastName is empty
  ['matches an empty LastName', { LastName: [''] }, { LastName: '' }, true],
  // vendguard's guardrail patterns (events/rules): successful calls only, not by the remediation role
  [
    'guardrail: matches a successful call',
    {
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventName: ['CreateInternetGateway'], errorCode: [{ exists: false }] },
    },
    cloudTrail({ userIdentity: HUMAN }),
    true,
  ],
  [
    'guardrail: ignores a failed call',
    { source: ['aws.ec2'], detail: { eventName: ['CreateInternetGateway'], errorCode: [{ exists: false }] } },
    cloudTrail({ userIdentity: HUMAN, errorCode: 'UnauthorizedOperation' }),
    false,
  ],
  [
    'guardrail: matches a human caller',
    {
      detail: {
        userIdentity: { arn: [{ 'anything-but': { wildcard: '*:assumed-role/VendguardGuardrailRemediation/*' } }] },
      },
    },
    cloudTrail({ userIdentity: HUMAN }),
    true,
  ],
  [
    'guardrail: ignores the remediation role',
    {
      detail: {
        userIdentity: { arn: [{ 'anything-but': { wildcard: '*:assumed-role/VendguardGuardrailRemediation/*' } }] },
      },
    },
    cloudTrail({ userIdentity: REMEDIATION }),
    false,
  ],
];

describe('event pattern matching (EventBridge user guide cases)', () => {
  it('has at least 46 documented cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(46);
  });

  it.each(CASES)('%s', (_name, pattern, event, expected) => {
    expect(compileEventPattern(pattern).matches(event)).toBe(expected);
    expect(matchesEventPattern(JSON.stringify(pattern), event)).toBe(expected);
  });
});

describe('event pattern validation', () => {
  const INVALID: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['a non-array leaf', { source: 'aws.ec2' }, /must be an object or an array/],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, /Unrecognized match type contains/],
    ['two keys in one match expression', { source: [{ prefix: 'a', suffix: 'b' }] }, /Only one key/],
    ['a numeric operand that is not a number', { n: [{ numeric: ['>', 'a'] }] }, /must be a number/],
    ['an unknown numeric operator', { n: [{ numeric: ['!=', 1] }] }, /Unrecognized numeric range operator/],
    ['two upper bounds', { n: [{ numeric: ['<', 5, '<', 6] }] }, /two upper bounds/],
    ['an inverted range', { n: [{ numeric: ['>', 5, '<', 1] }] }, /lower bound/],
    ['a number out of range', { n: [{ numeric: ['>', 6e9] }] }, /out of range/],
    ['consecutive wildcards', { v: [{ wildcard: 'a**b' }] }, /Consecutive wildcard/],
    ['a bad wildcard escape', { v: [{ wildcard: 'a\\b' }] }, /Invalid escape/],
    ['a non-boolean exists', { v: [{ exists: 'yes' }] }, /true or false/],
    ['a bad CIDR', { v: [{ cidr: '10.0.0.0/33' }] }, /Nonstandard IP/],
    ['a mixed anything-but list', { v: [{ 'anything-but': ['a', 1] }] }, /all strings or all numbers/],
    [
      'an anything-but of an unsupported operator',
      { v: [{ 'anything-but': { numeric: ['>', 1] } }] },
      /Unsupported anything-but/,
    ],
    ['an empty array', { v: [] }, /Empty arrays/],
    ['an empty object', { detail: {} }, /Empty objects/],
    ['a $or with one alternative', { $or: [{ a: ['b'] }] }, /at least 2/],
    ['a nested array', { v: [['a']] }, /Match value must be/],
    ['a prefix that is a number', { v: [{ prefix: 1 }] }, /prefix match pattern/],
    ['a pattern that is not an object', ['a'], /not an object/],
  ];

  it.each(INVALID)('rejects %s', (_name, pattern, reason) => {
    const text = JSON.stringify(pattern);
    expect(() => compileEventPattern(text)).toThrow(InvalidEventPatternError);
    expect(eventPatternProblem(text)).toMatch(reason);
    expect(eventPatternProblem(text)).toMatch(/^Event pattern is not valid\. Reason: /);
  });

  it('rejects text that is not JSON', () => {
    expect(eventPatternProblem('{"source": [')).toMatch(/not valid JSON/);
  });

  it('names the path of the problem', () => {
    expect(eventPatternProblem({ detail: { state: [{ bogus: 1 }] } })).toContain('at detail.state[0]');
  });

  it('accepts the anything-but wildcard form the guardrails use', () => {
    expect(
      eventPatternProblem({
        detail: { userIdentity: { arn: [{ 'anything-but': { wildcard: '*:assumed-role/X/*' } }] } },
      }),
    ).toBeUndefined();
  });
});
