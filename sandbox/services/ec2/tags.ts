import * as z from 'zod/mini';
import type { OperationHandler } from '../../core/types';
import { MissingParameter } from './errors';
import { parseInput, TagSchema } from './input';
import type { Tag } from './model';
import type { Ec2State } from './state';

const TagsSchema = z.looseObject({ ResourceId: z.array(z.string()), Tag: z.optional(z.array(TagSchema)) });

/** CreateTags / DeleteTags on any resource the sandbox models (`vpc-`, `igw-`, `sg-`, `sgr-`, …). */
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
  };
}
