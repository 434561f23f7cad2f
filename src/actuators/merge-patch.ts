/**
 * @module actuators/merge-patch
 * JSON Merge Patch (RFC 7386) and JSON equality, as plain functions. The Rollout target uses them
 * to predict whether a patch would change anything (an idempotent write sends nothing when the
 * object is already in the desired state); the fake API server uses the same semantics to apply
 * merge patches, and its contract test pins them against hand-written expectations.
 */

/** A JSON object as parsed from the wire. */
export type JsonObject = { [key: string]: unknown };

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `patch` to `target` per RFC 7386 and returns a new value; neither input is modified.
 * `null` in the patch deletes the key, objects merge recursively, anything else (arrays included)
 * replaces the target's value wholesale.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    // An absent key and a key holding undefined are the same thing once serialized.
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}
