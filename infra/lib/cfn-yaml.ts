import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/** CloudFormation short-form intrinsic tags → their long form (`!Ref x` → `{ Ref: x }`). */
const INTRINSICS = [
  ['Ref', 'Ref'],
  ['Condition', 'Condition'],
  ['Sub', 'Fn::Sub'],
  ['GetAtt', 'Fn::GetAtt'],
  ['If', 'Fn::If'],
  ['Equals', 'Fn::Equals'],
  ['Not', 'Fn::Not'],
  ['And', 'Fn::And'],
  ['Or', 'Fn::Or'],
  ['Select', 'Fn::Select'],
  ['GetAZs', 'Fn::GetAZs'],
  ['Join', 'Fn::Join'],
  ['Split', 'Fn::Split'],
  ['FindInMap', 'Fn::FindInMap'],
  ['ImportValue', 'Fn::ImportValue'],
  ['Base64', 'Fn::Base64'],
  ['Cidr', 'Fn::Cidr'],
] as const;

function tagsFor(short: string, long: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${short}`;
  return [
    {
      tag,
      resolve: (value: string) => ({
        // `!GetAtt A.B` is short for `Fn::GetAtt: [A, B]`.
        [long]: short === 'GetAtt' ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)] : value,
      }),
    } satisfies ScalarTag,
    {
      tag,
      collection: 'seq',
      resolve: (seq) => ({ [long]: seq.toJSON() }),
    } satisfies CollectionTag,
    {
      tag,
      collection: 'map',
      resolve: (map) => ({ [long]: map.toJSON() }),
    } satisfies CollectionTag,
  ];
}

const CFN_TAGS = INTRINSICS.flatMap(([s, l]) => tagsFor(s, l));

/** A CloudFormation template as parsed (the parts vendguard reads). */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Parameters?: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<
    string,
    { Type: string; Condition?: string; DependsOn?: string | string[]; Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<string, unknown>;
}

/**
 * Parses a CloudFormation YAML template, turning the short intrinsic tags (`!Ref`, `!Sub`, …) into
 * their JSON long form. Throws on invalid YAML or an unknown tag.
 */
export function parseCfnYaml(text: string): CfnTemplate {
  return parse(text, { customTags: CFN_TAGS, prettyErrors: true, strict: true }) as CfnTemplate;
}
