/**
 * @module expr/values
 * The value model. Metric results arrive as JSON, so values are JSON plus two tagged kinds for
 * `now()`/`duration()`/`date()`. Everything that reads a value goes through `kindOf` and the
 * own-property readers here, which is what keeps expressions away from JS prototypes.
 */

/** An instant, as epoch milliseconds. Create with {@link timeValue}. */
export type TimeValue = { readonly kind: 'time'; readonly ms: number };

/** A span of time in milliseconds (fractions allowed, Go's ns resolution). Create with {@link durationValue}. */
export type DurationValue = { readonly kind: 'duration'; readonly ms: number };

/** Anything an expression can see or produce. `undefined` inside JSON-ish input is read as nil. */
export type ExprValue =
  | null
  | boolean
  | number
  | string
  | readonly ExprValue[]
  | { readonly [key: string]: ExprValue }
  | TimeValue
  | DurationValue;

/** A JSON object as an expression sees it (`map[string]interface {}` in Go terms). */
export type ExprMap = { readonly [key: string]: ExprValue };

/** Runtime classification used for dispatch and Go-style type names. */
export type ValueKind =
  | 'nil'
  | 'bool'
  | 'number'
  | 'string'
  | 'array'
  | 'map'
  | 'time'
  | 'duration'
  | 'unsupported';

/**
 * Member names that could reach JS object machinery. Rejected at compile time when spelled out,
 * and refused at runtime when computed (`result["__pro" + "to__"]`).
 */
export const FORBIDDEN_MEMBER_NAMES: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype']);

// Times and durations are branded by identity rather than shape, so a JSON map that happens to
// look like `{"kind": "time", "ms": 1}` can never be mistaken for one.
const temporalValues = new WeakSet<object>();

/** Creates a time value (epoch ms). The only way to make one the interpreter will recognise. */
export function timeValue(ms: number): TimeValue {
  const value: TimeValue = Object.freeze({ kind: 'time', ms });
  temporalValues.add(value);
  return value;
}

/** Creates a duration value (ms). The only way to make one the interpreter will recognise. */
export function durationValue(ms: number): DurationValue {
  const value: DurationValue = Object.freeze({ kind: 'duration', ms });
  temporalValues.add(value);
  return value;
}

/** True for values produced by {@link timeValue} (e.g. the result of `now() - duration("5m")`). */
export function isTimeValue(value: unknown): value is TimeValue {
  return typeof value === 'object' && value !== null && temporalValues.has(value) && (value as TimeValue).kind === 'time';
}

/** True for values produced by {@link durationValue}. */
export function isDurationValue(value: unknown): value is DurationValue {
  return (
    typeof value === 'object' && value !== null && temporalValues.has(value) && (value as DurationValue).kind === 'duration'
  );
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Classifies any JS value; class instances, functions, symbols and bigints are `unsupported`. */
export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      if (Array.isArray(value)) return 'array';
      if (temporalValues.has(value)) return (value as TimeValue | DurationValue).kind;
      return isPlainObject(value) ? 'map' : 'unsupported';
    default:
      return 'unsupported';
  }
}

/** Narrows to a JSON map (never a time/duration, never a class instance). */
export function isMap(value: unknown): value is ExprMap {
  return kindOf(value) === 'map';
}

/** Narrows to an array of values. */
export function isArray(value: unknown): value is readonly ExprValue[] {
  return Array.isArray(value);
}

/**
 * Go's `%T` spelling, because Argo users know these messages (`mismatched types <nil> and
 * float64`). Integral numbers report `int`, others `float64`: JS cannot tell `1.0` from `1`.
 */
export function goTypeName(value: unknown): string {
  const kind = kindOf(value);
  switch (kind) {
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float64';
    case 'string':
      return 'string';
    case 'array':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'unsupported':
      return `<unsupported ${typeof value}>`;
  }
}

/** Normalises a stored value: JSON-ish input may contain `undefined`, which reads as nil. */
export function normalize(value: ExprValue | undefined): ExprValue {
  return value === undefined ? null : value;
}

/**
 * Reads an own data property of a JSON map; missing keys read as nil (expr-lang's behaviour for
 * maps). Accessors and inherited properties are never consulted.
 */
export function readOwn(map: ExprMap, key: string): ExprValue {
  if (!Object.hasOwn(map, key)) return null;
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  if (descriptor === undefined || !('value' in descriptor)) return null;
  return normalize(descriptor.value as ExprValue | undefined);
}

/** Reads an array element by an already range-checked index; holes read as nil. */
export function readElement(array: readonly ExprValue[], index: number): ExprValue {
  return Object.hasOwn(array, index) ? normalize(array[index]) : null;
}

/** Own enumerable keys of a map, in insertion order. */
export function mapKeys(map: ExprMap): string[] {
  return Object.keys(map);
}

/**
 * Go-like `==`: numbers compare numerically (NaN ≠ NaN), arrays and maps deeply, times and
 * durations by instant/length, and mismatched types are simply unequal.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  switch (kind) {
    case 'nil':
      return true;
    case 'bool':
    case 'number':
    case 'string':
      return a === b;
    case 'time':
    case 'duration':
      return (a as TimeValue).ms === (b as TimeValue).ms;
    case 'array':
      return arraysEqual(a as readonly ExprValue[], b as readonly ExprValue[]);
    case 'map':
      return mapsEqual(a as ExprMap, b as ExprMap);
    case 'unsupported':
      return false;
  }
}

function arraysEqual(a: readonly ExprValue[], b: readonly ExprValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (!deepEqual(readElement(a, i), readElement(b, i))) return false;
  }
  return true;
}

function mapsEqual(a: ExprMap, b: ExprMap): boolean {
  const keys = mapKeys(a);
  if (keys.length !== mapKeys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(readOwn(a, key), readOwn(b, key)));
}
