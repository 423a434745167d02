// RFC 6902 JSON Patch on plain JSON values, for resource modifier rules (Velero applies them with
// evanphx/json-patch). Returns a new document; the input is not changed. A failed `test` operation
// is a TestFailedError (Velero then leaves the object as it was), any other failure an Error.
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

export class TestFailedError extends Error {}
export class PathMissingError extends Error {}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}": it must start with /`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonValue[] | { [key: string]: JsonValue };
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** The parent container of `pointer` and the last token; throws when the parent does not exist. */
function parentOf(doc: JsonValue, pointer: string): { parent: Container; key: string } {
  const path = tokens(pointer);
  if (path.length === 0) throw new Error('the whole document cannot be patched');
  let node: JsonValue = doc;
  for (const t of path.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(node) ? node[Number(t)] : isContainer(node) ? node[t] : undefined;
    if (next === undefined || !isContainer(next)) throw new PathMissingError(`path "${pointer}" does not exist`);
    node = next;
  }
  if (!isContainer(node)) throw new PathMissingError(`path "${pointer}" does not exist`);
  return { parent: node, key: path[path.length - 1]! };
}

function arrayIndex(arr: JsonValue[], key: string, forInsert: boolean): number {
  if (forInsert && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new PathMissingError(`"${key}" is not an array index`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length)) throw new PathMissingError(`index ${i} is out of range`);
  return i;
}

function get(doc: JsonValue, pointer: string): JsonValue {
  if (pointer === '') return doc;
  const { parent, key } = parentOf(doc, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, key, false)] : Object.hasOwn(parent, key) ? parent[key] : undefined;
  if (value === undefined) throw new PathMissingError(`path "${pointer}" does not exist`);
  return value;
}

function add(doc: JsonValue, pointer: string, value: JsonValue): void {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
}

function remove(doc: JsonValue, pointer: string): JsonValue {
  const value = get(doc, pointer);
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function equal(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: JsonValue | undefined): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isContainer(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

export function applyJsonPatch(input: JsonValue, ops: JsonPatchOperation[]): JsonValue {
  const doc = structuredClone(input);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        add(doc, op.path, structuredClone(op.value ?? null));
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'replace':
        get(doc, op.path);
        remove(doc, op.path);
        add(doc, op.path, structuredClone(op.value ?? null));
        break;
      case 'move':
        add(doc, op.path, remove(doc, op.from ?? ''));
        break;
      case 'copy':
        add(doc, op.path, structuredClone(get(doc, op.from ?? '')));
        break;
      case 'test': {
        let actual: JsonValue | undefined;
        try {
          actual = get(doc, op.path);
        } catch (error) {
          if (error instanceof PathMissingError) throw new TestFailedError(`test failed: "${op.path}" does not exist`);
          throw error;
        }
        if (!equal(actual, op.value)) throw new TestFailedError(`test failed: "${op.path}" is not ${JSON.stringify(op.value)}`);
        break;
      }
      default:
        throw new Error(`unsupported JSON patch operation "${(op as { op: string }).op}"`);
    }
  }
  return doc;
}

/** RFC 7386 JSON Merge Patch: objects merge key by key, null deletes, anything else replaces. */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isContainer(patch) || Array.isArray(patch)) return structuredClone(patch);
  const out: { [key: string]: JsonValue } = isContainer(target) && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key] ?? null, value);
  }
  return out;
}
