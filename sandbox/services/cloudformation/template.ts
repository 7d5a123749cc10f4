import { parseDocument } from 'yaml';
import { cidrBlocks, TemplateError } from './intrinsics';

export { TemplateError } from './intrinsics';

/**
 * Reading a CloudFormation template the way a stack does: YAML (short-form intrinsics `!Ref`,
 * `!Sub`, …) or JSON, then resolving intrinsic functions against the stack's parameters, pseudo
 * parameters and conditions. Services that materialise a deployed stack's resources (EC2, IAM) read
 * templates through here. A function that cannot be evaluated (`Fn::Select` past the end of its
 * list, `Fn::Cidr` of what is no CIDR block) throws a {@link TemplateError}.
 */

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Select',
  'GetAZs',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Split',
  'Contains',
];
const CUSTOM_TAGS = [...INTRINSICS, 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'Condition'].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    ...(kind === 'scalar' ? {} : { collection: kind }),
    resolve: (value: unknown) => ({
      [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]:
        value && typeof (value as { toJSON?: () => unknown }).toJSON === 'function'
          ? (value as { toJSON: () => unknown }).toJSON()
          : value,
    }),
  })),
);

/** The parts of a template the sandbox reads. */
export interface Template {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, TemplateResource>;
}

export interface TemplateResource {
  Type?: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
}

/** Parses a YAML or JSON template; undefined when it is not an object. */
export function parseTemplate(body: string): Template | undefined {
  try {
    const parsed = parseDocument(body, { customTags: CUSTOM_TAGS, logLevel: 'silent' });
    if (parsed.errors.length > 0) return undefined;
    const doc = parsed.toJS() as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Template) : undefined;
  } catch {
    return undefined;
  }
}

/** Where a stack runs: what `Ref`, pseudo parameters and `Fn::GetAtt` resolve to. */
export interface StackContext {
  readonly account: string;
  readonly region: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly parameters: readonly { ParameterKey?: string; ParameterValue?: string }[];
  /** `Fn::GetAtt` of a resource (`Role.Arn`); undefined when not known. */
  readonly attribute?: (logicalId: string, attribute: string) => string | undefined;
  /** `Ref` of a resource (its physical id). */
  readonly physicalId?: (logicalId: string) => string | undefined;
}

/** A template with its stack, resolving intrinsics. */
export class ResolvedTemplate {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    readonly template: Template,
    private readonly stack: StackContext,
  ) {}

  /** The value of a parameter or pseudo parameter. */
  ref(name: string): unknown {
    switch (name) {
      case 'AWS::AccountId':
        return this.stack.account;
      case 'AWS::Region':
        return this.stack.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackId':
        return this.stack.stackId;
      case 'AWS::StackName':
        return this.stack.stackName;
      case 'AWS::NoValue':
        return undefined;
    }
    const given = this.stack.parameters.find((p) => p.ParameterKey === name)?.ParameterValue;
    const declared = this.template.Parameters?.[name];
    const value = given ?? (declared?.Default === undefined ? undefined : String(declared.Default));
    if (value === undefined) return declared ? undefined : this.stack.physicalId?.(name);
    // a list parameter (`CommaDelimitedList`, `List<…>`) is a list of its comma-separated values
    if (declared?.Type && /^(CommaDelimitedList|List<)/.test(declared.Type))
      return value.split(',').map((v) => v.trim());
    return value;
  }

  /** Whether a named condition holds (unknown conditions are false). */
  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const value = Boolean(this.resolve(this.template.Conditions?.[name]));
    this.conditions.set(name, value);
    return value;
  }

  /** Whether a resource is created (its `Condition` holds, or it has none). */
  creates(resource: TemplateResource): boolean {
    return resource.Condition === undefined || this.condition(resource.Condition);
  }

  /** Resolves every intrinsic function in a value. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== undefined);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      switch (key) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Condition':
          return this.condition(String(arg));
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.stack.attribute?.(id ?? '', attr ?? '');
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown[]];
          return (this.resolve(list) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select':
          return this.select(arg);
        case 'Fn::Cidr': {
          if (!Array.isArray(arg) || arg.length !== 3) {
            // sandbox wording, after AWS's for Fn::Join and Fn::Split
            throw new TemplateError(
              'every Fn::Cidr object requires three parameters, (1) an IP block, (2) a count and (3) the CIDR bits',
            );
          }
          const [ipBlock, count, cidrBits] = arg.map((a) => this.resolve(a));
          return cidrBlocks(ipBlock, count, cidrBits);
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(sep);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return String(this.resolve(a)) === String(this.resolve(b));
        }
        case 'Fn::Not':
          return !this.resolve((arg as unknown[])[0]);
        case 'Fn::And':
          return (arg as unknown[]).every((c) => Boolean(this.resolve(c)));
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => Boolean(this.resolve(c)));
        case 'Fn::If': {
          const [cond, yes, no] = arg as [string, unknown, unknown];
          return this.resolve(this.condition(cond) ? yes : no);
        }
        case 'Fn::Contains': {
          // Rules only: whether a list holds a value
          const [list, value] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[]).map(String).includes(String(this.resolve(value)));
        }
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${this.stack.region}${z}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(v);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }

  /** `Fn::Select [index, list]`: AWS's "cannot select nonexistent value at index N" past the end. */
  private select(arg: unknown): unknown {
    const [index, list] = Array.isArray(arg) ? (arg as [unknown, unknown]) : [];
    const at = Number(this.resolve(index));
    const values = this.resolve(list);
    if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(values) || !Number.isInteger(at)) {
      // sandbox wording
      throw new TemplateError('Fn::Select requires a list argument with two elements: an integer index and a list');
    }
    if (at < 0 || at >= values.length)
      throw new TemplateError(`Fn::Select cannot select nonexistent value at index ${at}`);
    return values[at];
  }

  private sub(arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => {
      if (Object.hasOwn(vars, name)) return String(this.resolve(vars[name]));
      if (name.includes('.')) {
        const [id, attr] = name.split('.');
        return this.stack.attribute?.(id ?? '', attr ?? '') ?? whole;
      }
      const value = this.ref(name);
      return value === undefined ? whole : String(value);
    });
  }
}
