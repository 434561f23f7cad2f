/**
 * @module expr/operators
 * Runtime semantics of operators and element access, following expr-lang: Go-like types,
 * IEEE float division, deep `==`, and the "mismatched types" messages Argo users already know.
 */

import type { BinaryOperator, UnaryOperator } from './ast.js';
import { fail } from './errors.js';
import { formatValue } from './format.js';
import { cachedRegex } from './regex.js';
import {
  FORBIDDEN_MEMBER_NAMES,
  deepEqual,
  durationValue,
  goTypeName,
  isArray,
  isDurationValue,
  isMap,
  isTimeValue,
  kindOf,
  readElement,
  readOwn,
  timeValue,
} from './values.js';
import type { ExprValue } from './values.js';

/** Largest array `a..b` may build; larger ranges are almost certainly mistakes and would exhaust memory. */
export const MAX_RANGE_LENGTH = 1_000_000;

function mismatch(operator: string, left: ExprValue, right: ExprValue): never {
  return fail(`invalid operation: ${operator} (mismatched types ${goTypeName(left)} and ${goTypeName(right)})`);
}

/** The error for `&&`/`||` operands that are not bool. */
export function logicalMismatch(operator: '&&' | '||', left: ExprValue, right: ExprValue): never {
  return mismatch(operator, left, right);
}

/** `+`: numbers, string concatenation, time + duration, duration + duration. */
export function add(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if (typeof left === 'string' && typeof right === 'string') return left + right;
  if (isTimeValue(left) && isDurationValue(right)) return timeValue(left.ms + right.ms);
  if (isDurationValue(left) && isTimeValue(right)) return timeValue(left.ms + right.ms);
  if (isDurationValue(left) && isDurationValue(right)) return durationValue(left.ms + right.ms);
  return mismatch('+', left, right);
}

function subtract(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (isTimeValue(left) && isTimeValue(right)) return durationValue(left.ms - right.ms);
  if (isTimeValue(left) && isDurationValue(right)) return timeValue(left.ms - right.ms);
  if (isDurationValue(left) && isDurationValue(right)) return durationValue(left.ms - right.ms);
  return mismatch('-', left, right);
}

function multiply(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left === 'number' && typeof right === 'number') return left * right;
  if (isDurationValue(left) && typeof right === 'number') return durationValue(left.ms * right);
  if (typeof left === 'number' && isDurationValue(right)) return durationValue(left * right.ms);
  return mismatch('*', left, right);
}

// Go's % is integer-only; integral JS numbers stand in for Go ints.
function modulo(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left !== 'number' || typeof right !== 'number' || !Number.isInteger(left) || !Number.isInteger(right)) {
    return mismatch('%', left, right);
  }
  if (right === 0) return fail('integer divide by zero');
  return (left % right) + 0;
}

// math.Pow differs from JS `**` on a few special cases that Go defines.
function power(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left !== 'number' || typeof right !== 'number') return mismatch('**', left, right);
  if (left === 1 || (left === -1 && !Number.isFinite(right) && !Number.isNaN(right))) return 1;
  return Math.pow(left, right);
}

function range(left: ExprValue, right: ExprValue): ExprValue {
  if (typeof left !== 'number' || typeof right !== 'number' || !Number.isInteger(left) || !Number.isInteger(right)) {
    return mismatch('..', left, right);
  }
  const length = right - left + 1;
  if (length > MAX_RANGE_LENGTH) fail(`range ${left}..${right} is too large (limit ${MAX_RANGE_LENGTH} elements)`);
  return length <= 0 ? [] : Array.from({ length }, (_, i) => left + i);
}

function compare(operator: '<' | '>' | '<=' | '>=', left: ExprValue, right: ExprValue): boolean {
  let a: number | string;
  let b: number | string;
  if ((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string')) {
    [a, b] = [left, right];
  } else if ((isTimeValue(left) && isTimeValue(right)) || (isDurationValue(left) && isDurationValue(right))) {
    [a, b] = [left.ms, right.ms];
  } else {
    return mismatch(operator, left, right);
  }
  switch (operator) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
}

function contains(needle: ExprValue, haystack: ExprValue): boolean {
  if (kindOf(haystack) === 'nil') return false;
  if (isArray(haystack)) {
    for (let i = 0; i < haystack.length; i += 1) {
      if (deepEqual(readElement(haystack, i), needle)) return true;
    }
    return false;
  }
  if (isMap(haystack)) {
    if (typeof needle !== 'string') return fail(`cannot use ${goTypeName(needle)} as type string in map key`);
    return !FORBIDDEN_MEMBER_NAMES.has(needle) && Object.hasOwn(haystack, needle);
  }
  return fail(`operator "in" not defined on ${goTypeName(haystack)}`);
}

function stringTest(operator: 'matches' | 'contains' | 'startsWith' | 'endsWith', left: ExprValue, right: ExprValue, regex: RegExp | undefined): boolean {
  if (typeof left !== 'string' || typeof right !== 'string') return mismatch(operator, left, right);
  switch (operator) {
    case 'matches':
      return (regex ?? compiledAtRuntime(right)).test(left);
    case 'contains':
      return left.includes(right);
    case 'startsWith':
      return left.startsWith(right);
    case 'endsWith':
      return left.endsWith(right);
  }
}

function compiledAtRuntime(pattern: string): RegExp {
  try {
    return cachedRegex(pattern);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Applies a strict (both sides evaluated) binary operator. `&&`, `||` and `??` are lazy and
 * handled by the interpreter. `regex` is the precompiled pattern of a literal `matches`.
 */
export function applyBinary(operator: Exclude<BinaryOperator, '&&' | '||' | '??'>, left: ExprValue, right: ExprValue, regex?: RegExp): ExprValue {
  switch (operator) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(operator, left, right);
    case 'in':
      return contains(left, right);
    case 'matches':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return stringTest(operator, left, right, regex);
    case '..':
      return range(left, right);
    case '+':
      return add(left, right);
    case '-':
      return subtract(left, right);
    case '*':
      return multiply(left, right);
    case '/':
      return typeof left === 'number' && typeof right === 'number' ? left / right : mismatch('/', left, right);
    case '%':
      return modulo(left, right);
    case '**':
      return power(left, right);
  }
}

/** Applies `!`, unary `-` (numbers, durations) or unary `+` (numbers). */
export function applyUnary(operator: UnaryOperator, operand: ExprValue): ExprValue {
  if (operator === '!' && typeof operand === 'boolean') return !operand;
  if (operator === '-' && typeof operand === 'number') return -operand;
  if (operator === '-' && isDurationValue(operand)) return durationValue(-operand.ms);
  if (operator === '+' && typeof operand === 'number') return operand;
  return fail(`invalid operation: operator ${operator} not defined on ${goTypeName(operand)}`);
}

function arrayIndex(key: ExprValue, length: number, from: ExprValue): number {
  if (typeof key !== 'number' || Number.isNaN(key)) return fail(`cannot fetch ${formatValue(key)} from ${goTypeName(from)}`);
  const truncated = Math.trunc(key);
  const index = truncated < 0 ? length + truncated : truncated;
  if (index < 0 || index >= length) fail(`index out of range: ${index} (array length ${length})`);
  return index;
}

/**
 * `from[key]` / `from.key`. Arrays and strings take numeric indexes (negative counts from the
 * end); maps take string keys and read only own data properties (missing → nil, as expr-lang);
 * `constructor`/`__proto__`/`prototype` are refused even when computed at runtime.
 */
export function fetch(from: ExprValue, key: ExprValue): ExprValue {
  if (isArray(from)) return readElement(from, arrayIndex(key, from.length, from));
  if (typeof from === 'string') {
    const chars = Array.from(from);
    return chars[arrayIndex(key, chars.length, from)] ?? null;
  }
  if (isMap(from)) {
    if (typeof key !== 'string') return fail(`cannot fetch ${formatValue(key)} from ${goTypeName(from)}`);
    if (FORBIDDEN_MEMBER_NAMES.has(key)) return fail(`cannot fetch ${key} from ${goTypeName(from)}: access to "${key}" is not allowed`);
    return readOwn(from, key);
  }
  return fail(`cannot fetch ${formatValue(key)} from ${goTypeName(from)}`);
}

function sliceBound(value: ExprValue, fallback: number, length: number, from: ExprValue): number {
  if (value === null) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) return fail(`cannot slice ${goTypeName(from)} with ${goTypeName(value)} bounds`);
  const truncated = Math.trunc(value);
  return Math.min(Math.max(truncated < 0 ? length + truncated : truncated, 0), length);
}

/** `from[a:b]` with Go/expr-lang clamping (out-of-range bounds clamp rather than fail). */
export function slice(from: ExprValue, low: ExprValue, high: ExprValue): ExprValue {
  const items: readonly ExprValue[] | undefined = isArray(from) ? from : typeof from === 'string' ? Array.from(from) : undefined;
  if (items === undefined) return fail(`cannot slice ${goTypeName(from)}`);
  const end = sliceBound(high, items.length, items.length, from);
  const start = Math.min(sliceBound(low, 0, items.length, from), end);
  const part = Array.from({ length: end - start }, (_, i) => readElement(items, start + i));
  return typeof from === 'string' ? part.join('') : part;
}
