import { AwsServiceError } from '../types';

/**
 * Form decoding shared by awsQuery (CloudFormation, STS) and ec2Query: `A.member.1.B=x` →
 * `{ A: [{ B: 'x' }] }`, `A.entry.1.key=k&A.entry.1.value=v` → `{ A: { k: 'v' } }`, `Filter.1.Name`
 * and `Value.1` → lists.
 */

type Tree = { [key: string]: Tree | string };

function isIndex(key: string): boolean {
  return /^\d+$/.test(key);
}

function normalise(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') return normalise(node.member as Tree | string);
  if (keys.length === 1 && keys[0] === 'entry' && typeof node.entry === 'object') {
    const map: Record<string, unknown> = {};
    for (const k of Object.keys(node.entry).sort((a, b) => Number(a) - Number(b))) {
      const entry: Tree | string | undefined = node.entry[k];
      if (typeof entry !== 'object') continue;
      const key = entry.key ?? entry.Key;
      if (typeof key === 'string') map[key] = normalise((entry.value ?? entry.Value ?? '') as Tree | string);
    }
    return map;
  }
  if (keys.length > 0 && keys.every(isIndex)) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => normalise(node[k] as Tree | string));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = normalise(node[k] as Tree | string);
  return out;
}

/** Decodes a form body into the operation name, API version and the structured input. */
export function decodeQueryForm(body: string): { action?: string; version?: string; input: Record<string, unknown> } {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(body);
  } catch {
    throw new AwsServiceError('MalformedQueryString', 'The query string is malformed');
  }
  const root: Tree = {};
  let action: string | undefined;
  let version: string | undefined;
  for (const [rawKey, value] of params) {
    if (rawKey === 'Action') {
      action = value;
      continue;
    }
    if (rawKey === 'Version') {
      version = value;
      continue;
    }
    if (rawKey === '') continue;
    const parts = rawKey.split('.');
    let node: Tree = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const created: Tree = {};
        node[part] = created;
        node = created;
      }
    }
    const last = parts[parts.length - 1] as string;
    if (typeof node[last] === 'object') continue;
    node[last] = value;
  }
  const input = normalise(root);
  return {
    ...(action !== undefined ? { action } : {}),
    ...(version !== undefined ? { version } : {}),
    input: (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>,
  };
}
