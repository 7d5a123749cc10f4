import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS } from '../../../../../functions/manifest';
import {
  definitionSubstitutions,
  fillPlaceholders,
  loadDefinitionFiles,
  validateDefinition,
} from '../../../../../sandbox/services/stepfunctions/definitions';
import { DefinitionFileError } from '../../../../../sandbox/services/stepfunctions/errors';
import {
  evaluateReferencePath,
  functionNameOf,
  taskTarget,
} from '../../../../../sandbox/services/stepfunctions/prepare';

/** An ASL placeholder `${name}` (built, so it is not mistaken for a template literal). */
const ph = (name: string): string => `$${'{'}${name}}`;

describe('definition substitutions', () => {
  it('maps every state-machine function placeholder to its ARN, plus the bus and table names', () => {
    const subs = definitionSubstitutions((name) => `arn:fn:${name}`);

    expect(subs.ValidateRequestFunctionArn).toBe('arn:fn:vend-validate-request');
    expect(subs.EventBusName).toBe('vendguard');
    expect(subs.StateTableName).toBe('vendguard-state');
    const placeholders = FUNCTIONS.flatMap((f) => (f.trigger.kind === 'stateMachine' ? [f.trigger.placeholder] : []));
    expect(Object.keys(subs).sort()).toEqual([...placeholders, 'EventBusName', 'StateTableName'].sort());
  });

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

describe('loadDefinitionFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'asl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads *.asl.json files with their placeholders filled', () => {
    writeFileSync(
      join(dir, 'flow.asl.json'),
      `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${ph('EventBusName')}","End":true}}}`,
    );
    writeFileSync(join(dir, 'notes.json'), '{}');

    const files = loadDefinitionFiles({ EventBusName: 'vendguard' }, dir);

    expect(files.map((f) => f.name)).toEqual(['flow']);
    expect(files[0]?.definition).toContain('"Result":"vendguard"');
  });

  it('throws DefinitionFileError naming the file for an unknown placeholder', () => {
    writeFileSync(
      join(dir, 'bad.asl.json'),
      `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${ph('Nope')}","End":true}}}`,
    );

    expect(() => loadDefinitionFiles({}, dir)).toThrow(DefinitionFileError);
    expect(() => loadDefinitionFiles({}, dir)).toThrow(/bad\.asl\.json.*\$\{Nope\}/);
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
