import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { describeInput } from './describe';
import { MissingParameter } from './errors';
import { checkFilterNames, matchesFilters } from './filters';
import { parseInput, TagSchema } from './input';
import type { Scope, Tag } from './model';
import { paginate } from './paginate';
import { type Ec2State, RESOURCE_KINDS } from './state';

const TagsSchema = z.looseObject({ ResourceId: z.array(z.string()), Tag: z.optional(z.array(TagSchema)) });

/** One tag of one resource, as `DescribeTags` lists it. */
export interface TagDescription {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

const TAG_FILTERS = new Set(['key', 'value', 'resource-id', 'resource-type']);

/** Every tag of the scope's resources, by resource type, resource id and key. */
function tagDescriptions(state: Ec2State, scope: Scope): { tags: Tag[]; entry: TagDescription }[] {
  const entries: { tags: Tag[]; entry: TagDescription }[] = [];
  for (const kind of Object.values(RESOURCE_KINDS)) {
    for (const record of state.list<Record<string, unknown> & { tags?: Tag[] }>(scope, kind.table)) {
      const resourceId = String(record[kind.idField]);
      for (const t of record.tags ?? []) {
        entries.push({
          tags: record.tags ?? [],
          entry: { resourceId, resourceType: kind.type, key: t.key, value: t.value },
        });
      }
    }
  }
  // code-point order (upper case before lower case), whatever the locale
  const key = (e: TagDescription) => `${e.resourceType}\u0000${e.resourceId}\u0000${e.key}`;
  return entries.sort((a, b) => (key(a.entry) < key(b.entry) ? -1 : key(a.entry) > key(b.entry) ? 1 : 0));
}

/**
 * CreateTags / DeleteTags on any resource the sandbox models (`vpc-`, `igw-`, `sg-`, `sgr-`, …), and
 * DescribeTags over them.
 */
export function tagOperations(state: Ec2State): Record<string, OperationHandler> {
  const resources = (raw: Record<string, unknown>) => {
    if (raw.ResourceId === undefined) throw new MissingParameter('ResourceId');
    const input = parseInput(TagsSchema, { ...raw, ResourceId: [raw.ResourceId].flat() });
    return input;
  };
  return {
    CreateTags(raw, ctx) {
      const scope = state.scope(ctx);
      const input = resources(raw);
      if (!input.Tag?.length) throw new MissingParameter('Tag');
      const records = input.ResourceId.map((id) => state.require<{ tags: Tag[] }>(scope, id));
      state.runtime.store.transaction(() => {
        input.ResourceId.forEach((id, i) => {
          const record = records[i] as { tags: Tag[] };
          const tags = [...record.tags];
          for (const t of input.Tag ?? []) {
            const value = t.Value ?? '';
            const at = tags.findIndex((x) => x.key === t.Key);
            if (at >= 0) tags[at] = { key: t.Key, value };
            else tags.push({ key: t.Key, value });
          }
          state.put(scope, id, { ...record, tags });
        });
      });
      return { return: true };
    },

    DeleteTags(raw, ctx) {
      const scope = state.scope(ctx);
      const input = resources(raw);
      const records = input.ResourceId.map((id) => state.require<{ tags: Tag[] }>(scope, id));
      state.runtime.store.transaction(() => {
        input.ResourceId.forEach((id, i) => {
          const record = records[i] as { tags: Tag[] };
          const remove = input.Tag;
          const tags = remove?.length
            ? record.tags.filter(
                (t) => !remove.some((r) => r.Key === t.key && (r.Value === undefined || r.Value === t.value)),
              )
            : [];
          state.put(scope, id, { ...record, tags });
        });
      });
      return { return: true };
    },

    /**
     * The tags of the caller's resources in the region, filtered by `key`, `value`, `resource-id`,
     * `resource-type` and `tag:<key>` (resources that carry that tag), paged by `MaxResults` (5–1000)
     * and `NextToken`.
     */
    DescribeTags(raw, ctx) {
      const scope = state.scope(ctx);
      const { filter, max, token } = describeInput(raw);
      checkFilterNames(filter, (name) => TAG_FILTERS.has(name) || name.startsWith('tag:'));
      const matching = tagDescriptions(state, scope)
        .filter(({ tags, entry }) =>
          matchesFilters(filter, (name) => {
            switch (name) {
              case 'key':
                return [entry.key];
              case 'value':
                return [entry.value];
              case 'resource-id':
                return [entry.resourceId];
              case 'resource-type':
                return [entry.resourceType];
              default:
                return tags.filter((t) => t.key === name.slice(4)).map((t) => t.value);
            }
          }),
        )
        .map(({ entry }) => entry);
      const { page, next } = paginate(matching, token, max);
      return { tagSet: page, nextToken: next };
    },
  };
}
