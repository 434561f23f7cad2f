/**
 * @module test/fakes/kube-json-patch
 * JSON Patch (RFC 6902) with JSON Pointers (RFC 6901) for the fake API server: add, remove,
 * replace, move, copy and test. A document that is not a patch is `malformed` (the server answers
 * 400); a patch that cannot be applied — a failed `test`, a missing path — is `failed` (422).
 */
import { isJsonObject, jsonEqual, type JsonObject } from '../../src/actuators/merge-patch.js';

/** Why a JSON patch was refused. */
export class JsonPatchError extends Error {
  constructor(
    readonly kind: 'malformed' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new JsonPatchError('malformed', `path must be a string, got ${JSON.stringify(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError('malformed', `path ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError('failed', `invalid array index ${JSON.stringify(token)} in ${pointer}`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw new JsonPatchError('failed', `array index ${index} out of bounds in ${pointer}`);
  return index;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, tokens: readonly string[], pointer: string): { parent: JsonObject | unknown[]; last: string } {
  let at: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(at)) at = at[arrayIndex(token, at.length, false, pointer)];
    else if (isJsonObject(at) && token in at) at = at[token];
    else throw new JsonPatchError('failed', `path ${pointer} does not exist`);
  }
  if (!Array.isArray(at) && !isJsonObject(at)) throw new JsonPatchError('failed', `path ${pointer} does not exist`);
  return { parent: at, last: tokens[tokens.length - 1] ?? '' };
}

function read(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, pointer)];
  if (!(last in parent)) throw new JsonPatchError('failed', `path ${pointer} does not exist`);
  return parent[last];
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else parent[last] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('failed', 'cannot remove the whole document');
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else {
    if (!(last in parent)) throw new JsonPatchError('failed', `path ${pointer} does not exist`);
    delete parent[last];
  }
  return doc;
}

/** Applies `operations` to a copy of `document`; throws {@link JsonPatchError}. */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError('malformed', 'a JSON patch must be an array of operations');
  let doc: unknown = structuredClone(document);
  operations.forEach((operation: unknown, i) => {
    if (!isJsonObject(operation) || typeof operation['op'] !== 'string' || !OPS.has(operation['op'])) {
      throw new JsonPatchError('malformed', `operation ${i}: expected {op: add|remove|replace|move|copy|test, path, …}`);
    }
    const path = operation['path'];
    parsePointer(path);
    const pointer = path as string;
    const needsValue = operation['op'] === 'add' || operation['op'] === 'replace' || operation['op'] === 'test';
    if (needsValue && !('value' in operation)) throw new JsonPatchError('malformed', `operation ${i} (${operation['op']} ${pointer}): missing value`);
    switch (operation['op']) {
      case 'add':
        doc = add(doc, pointer, structuredClone(operation['value']));
        break;
      case 'remove':
        doc = remove(doc, pointer);
        break;
      case 'replace':
        read(doc, pointer);
        doc = pointer === '' ? structuredClone(operation['value']) : add(remove(doc, pointer), pointer, structuredClone(operation['value']));
        break;
      case 'move': {
        const from = operation['from'];
        parsePointer(from);
        if (pointer.startsWith(`${from as string}/`)) throw new JsonPatchError('failed', `operation ${i}: cannot move ${from as string} into its own child ${pointer}`);
        const value = read(doc, from as string);
        doc = add(remove(doc, from as string), pointer, value);
        break;
      }
      case 'copy': {
        const from = operation['from'];
        parsePointer(from);
        doc = add(doc, pointer, structuredClone(read(doc, from as string)));
        break;
      }
      case 'test':
        if (!jsonEqual(read(doc, pointer), operation['value'])) {
          throw new JsonPatchError('failed', `testing value ${pointer} failed: expected ${JSON.stringify(operation['value'])}`);
        }
        break;
    }
  });
  return doc;
}
