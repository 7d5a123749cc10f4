import { fillPlaceholders, validateDefinition } from '../../../../../sandbox/services/stepfunctions/definitions';
import {
  evaluateReferencePath,
  functionNameOf,
  taskTarget,
} from '../../../../../sandbox/services/stepfunctions/prepare';

/** An ASL placeholder `${name}` (built, so it is not mistaken for a template literal). */
const ph = (name: string): string => `$${'{'}${name}}`;

describe('definition substitutions', () => {
  it('fills placeholders and names the ones without a value', () => {
    expect(fillPlaceholders(`{"a":"${ph('X')}"}`, { X: 'x' })).toBe('{"a":"x"}');
    expect(() => fillPlaceholders(`${ph('X')} ${ph('Y')} ${ph('Z')}`, { X: 'x' })).toThrow(
      `no value for placeholder(s) ${ph('Y')}, ${ph('Z')}`,
    );
  });
});

describe('validateDefinition', () => {
  it('accepts a valid definition and reports the problems of an invalid one', () => {
    expect(validateDefinition('{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}')).toEqual([]);
    expect(validateDefinition('{"StartAt":"B","States":{"A":{"Type":"Pass","End":true}}}').join()).toMatch(/B/);
    expect(validateDefinition('not json')[0]).toMatch(/^not JSON/);
  });
});

describe('ASL preparation helpers', () => {
  it('resolves Lambda ARNs and lambda:invoke to manifest function names', () => {
    const arn = 'arn:aws:lambda:eu-west-1:100000000001:function:vendguard-vend-announce';
    expect(taskTarget({ Resource: arn })).toEqual({
      kind: 'function',
      functionName: 'vend-announce',
      functionArn: arn,
    });
    expect(taskTarget({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: arn } })).toEqual({
      kind: 'lambdaInvoke',
      functionName: 'vend-announce',
    });
    expect(taskTarget({ Resource: 'arn:aws:states:::sqs:sendMessage' }).kind).toBe('unsupported');
    expect(functionNameOf(`${arn}:$LATEST`)).toBe('vend-announce');
  });

  it('evaluates reference paths against the input and the context object', () => {
    const input = { a: { b: [10, 20] }, 'odd key': 1 };
    expect(evaluateReferencePath('$.a.b[1]', input, {})).toBe(20);
    expect(evaluateReferencePath("$['odd key']", input, {})).toBe(1);
    expect(evaluateReferencePath('$', input, {})).toBe(input);
    expect(evaluateReferencePath('$$.Execution.Name', input, { Execution: { Name: 'n' } })).toBe('n');
    expect(evaluateReferencePath('$.missing.x', input, {})).toBeUndefined();
  });
});
