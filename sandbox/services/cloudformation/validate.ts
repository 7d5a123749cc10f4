import { ValidationError } from './errors';
import { parseTemplate, type Template } from './template';

/**
 * What CloudFormation checks of a template before it accepts a stack set (`CreateStackSet`,
 * `UpdateStackSet`), with its `ValidationError` messages: a well-formed YAML or JSON object, known
 * sections, at least one resource, a `Type` of the `AWS::Service::Resource` / `Custom::Name` form on
 * each, every `Ref`, `Fn::GetAtt` and `${…}` of `Fn::Sub` naming a parameter, a resource or a
 * pseudo parameter, every `Condition` declared, and a value for each parameter without a default.
 */

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_TYPE = /^((AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+|Custom::[A-Za-z0-9_@-]{1,60})$/;
const format = (message: string) => new ValidationError(`Template format error: ${message}`);

/** The names a template's intrinsic functions refer to, by kind. */
function references(node: unknown, refs: Set<string>, atts: Set<string>, conditions: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) references(n, refs, atts, conditions);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'Ref' && typeof value === 'string') refs.add(value);
    else if (key === 'Fn::GetAtt') {
      const id = Array.isArray(value) ? value[0] : typeof value === 'string' ? value.split('.')[0] : undefined;
      if (typeof id === 'string') atts.add(id);
    } else if (key === 'Fn::Sub') {
      const [text, vars] = Array.isArray(value) ? (value as [unknown, unknown]) : [value, undefined];
      const local = new Set(vars && typeof vars === 'object' ? Object.keys(vars) : []);
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^}!]+)\}/g)) {
          const name = (m[1] as string).trim();
          if (local.has(name)) continue;
          if (name.includes('.')) atts.add(name.split('.')[0] as string);
          else refs.add(name);
        }
      }
      references(vars, refs, atts, conditions);
    } else if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string') {
      conditions.add(value[0]);
      references(value.slice(1), refs, atts, conditions);
    } else if (key === 'Condition' && typeof value === 'string') conditions.add(value);
    else references(value, refs, atts, conditions);
  }
}

/**
 * Throws CloudFormation's `ValidationError` for the first problem of a template and its parameters.
 * A template given by `TemplateURL` (which the sandbox cannot fetch) is not checked.
 */
export function validateTemplate(body: string, parameters: readonly { ParameterKey?: string }[]): Template | undefined {
  if (body.startsWith('# TemplateURL:')) return undefined;
  const trimmed = body.trim();
  const template = parseTemplate(body);
  if (!template) throw format(`${trimmed.startsWith('{') ? 'JSON' : 'YAML'} not well-formed.`);
  const unknown = Object.keys(template).filter((k) => !SECTIONS.has(k));
  if (unknown.length > 0) throw new ValidationError(`Invalid template property or properties [${unknown.join(', ')}]`);
  const resources = template.Resources ?? {};
  const ids = Object.keys(resources);
  if (ids.length === 0) throw format('At least one Resources member must be defined.');
  const badTypes: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (!r || typeof r !== 'object' || typeof r.Type !== 'string') {
      throw format(`[/Resources/${id}] Every Resources object must contain a Type member.`);
    }
    if (!RESOURCE_TYPE.test(r.Type)) badTypes.push(r.Type);
  }
  if (badTypes.length > 0) throw format(`Unrecognized resource types: [${badTypes.join(', ')}]`);
  const declared = Object.keys(template.Parameters ?? {});
  const refs = new Set<string>();
  const atts = new Set<string>();
  const conditions = new Set<string>();
  references(template.Resources, refs, atts, conditions);
  references((template as Record<string, unknown>).Outputs, refs, atts, conditions);
  const knownRefs = new Set([...declared, ...ids]);
  const unresolved = [...refs].filter((r) => !r.startsWith('AWS::') && !knownRefs.has(r));
  if (unresolved.length > 0) {
    throw format(`Unresolved resource dependencies [${unresolved.join(', ')}] in the Resources block of the template`);
  }
  const badAtt = [...atts].find((a) => !ids.includes(a));
  if (badAtt)
    throw new ValidationError(`Template error: instance of Fn::GetAtt references undefined resource ${badAtt}`);
  for (const id of ids) {
    const condition = resources[id]?.Condition;
    if (condition !== undefined) conditions.add(condition);
  }
  const missingCondition = [...conditions].find((c) => !Object.hasOwn(template.Conditions ?? {}, c));
  if (missingCondition)
    throw format(
      `Unresolved dependencies [${missingCondition}]. Cannot reference resources in the Conditions block of the template`,
    );
  const given = new Set(parameters.map((p) => p.ParameterKey));
  const extra = [...given].filter((k): k is string => typeof k === 'string' && !declared.includes(k));
  if (extra.length > 0) throw new ValidationError(`Parameters: [${extra.join(', ')}] do not exist in the template`);
  const missing = declared.filter((k) => template.Parameters?.[k]?.Default === undefined && !given.has(k));
  if (missing.length > 0) throw new ValidationError(`Parameters: [${missing.join(', ')}] must have values`);
  return template;
}
