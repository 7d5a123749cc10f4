import { InvalidParameterValue } from './errors';
import type { Tag } from './model';

/** A decoded `Filter.N.Name` / `Filter.N.Value.M`. */
export interface Filter {
  Name: string;
  Value?: string[];
}

/** The values a resource has for a filter name, or `undefined` when the name is not a filter of it. */
export type FilterValues = (name: string) => readonly string[] | undefined;

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Values of the tag filters every taggable resource supports: `tag:<key>`, `tag-key`, `tag-value`. */
export function tagFilter(tags: readonly Tag[], name: string): readonly string[] | undefined {
  if (name.startsWith('tag:')) return tags.filter((t) => t.key === name.slice(4)).map((t) => t.value);
  if (name === 'tag-key') return tags.map((t) => t.key);
  if (name === 'tag-value') return tags.map((t) => t.value);
  return undefined;
}

/**
 * EC2 filter semantics: a resource matches when, for every filter, one of its values matches one of
 * the filter's values (`*` and `?` are wildcards). An unknown filter name is `InvalidParameterValue`.
 */
export function matchesFilters(filters: readonly Filter[] | undefined, valuesOf: FilterValues): boolean {
  for (const filter of filters ?? []) {
    const have = valuesOf(filter.Name);
    if (have === undefined) throw new InvalidParameterValue(`The filter '${filter.Name}' is invalid`);
    const wanted = (filter.Value ?? []).map(wildcard);
    if (!have.some((v) => wanted.some((w) => w.test(v)))) return false;
  }
  return true;
}

/**
 * Refuses filter names a Describe call does not know, before any resource is looked at (so an empty
 * result does not hide a misspelt filter): `InvalidParameterValue` "The filter '…' is invalid".
 */
export function checkFilterNames(filters: readonly Filter[] | undefined, known: (name: string) => boolean): void {
  for (const filter of filters ?? []) {
    if (!known(filter.Name)) throw new InvalidParameterValue(`The filter '${filter.Name}' is invalid`);
  }
}
