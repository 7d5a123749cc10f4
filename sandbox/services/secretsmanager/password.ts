import type { SandboxRuntime } from '../../core/types';
import { invalidParameter } from './model';

/**
 * Random passwords as `GetRandomPassword` and CloudFormation's `GenerateSecretString` make them: the
 * requested length from letters, digits, punctuation (and a space when asked), minus excluded
 * characters, with at least one of each included type unless told otherwise. Drawn from the
 * sandbox's seeded generator.
 */

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface PasswordOptions {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
}

export function randomPassword(runtime: SandboxRuntime, options: PasswordOptions = {}): string {
  const length = options.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw invalidParameter('Password length must be between 1 and 4096.');
  }
  const exclude = new Set(options.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !exclude.has(c)).join('');
  const types = [
    options.ExcludeLowercase ? '' : keep(LOWER),
    options.ExcludeUppercase ? '' : keep(UPPER),
    options.ExcludeNumbers ? '' : keep(DIGITS),
    options.ExcludePunctuation ? '' : keep(PUNCTUATION),
    options.IncludeSpace ? keep(' ') : '',
  ].filter((t) => t.length > 0);
  const all = types.join('');
  if (all.length === 0) throw invalidParameter('The password cannot be generated: every character is excluded.');
  const pick = (from: string) => from[Math.floor(runtime.random() * from.length)] as string;
  const chars = Array.from({ length }, () => pick(all));
  if (options.RequireEachIncludedType !== false && types.length <= length) {
    // one of each type at distinct random positions
    const positions = new Set<number>();
    while (positions.size < types.length) positions.add(Math.floor(runtime.random() * length));
    [...positions].forEach((p, i) => {
      chars[p] = pick(types[i] as string);
    });
  }
  return chars.join('');
}
