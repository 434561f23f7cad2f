/**
 * @module expr/builtins
 * The closed set of functions: their static signatures (for compile-time arity and type checks)
 * and runtime behaviour. expr-lang's builtins plus the five Argo injects into the environment
 * (`asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`, `default`), with Argo's quirks kept.
 */

import type { BuiltinName, StaticType } from './ast.js';
import { fail } from './errors.js';
import { formatValue } from './format.js';
import { add } from './operators.js';
import { parseDate, parseGoDuration, parseWithLayout } from './time.js';
import type { Parsed } from './time.js';
import { durationValue, goTypeName, isArray, isMap, kindOf, mapKeys, readElement, timeValue } from './values.js';
import type { ExprValue } from './values.js';

/** Static description of a builtin. */
export interface BuiltinSpec {
  /** Fewest arguments, counting the predicate. */
  readonly minArgs: number;
  /** Most arguments, counting the predicate (`Infinity` for variadic). */
  readonly maxArgs: number;
  /**
   * Whether the second argument is a predicate, written `{# > 1}` or as a bare expression using
   * `#` (expr-lang ≥ 1.17). `optional` for `count`/`sum`, which also work without one.
   */
  readonly predicate?: 'required' | 'optional';
  /** Result type when known before running; `unknown` when it depends on the argument. */
  readonly returns: StaticType;
  /**
   * Argo binds `isNil`/`default` to the whole `result` and never looks at their first argument,
   * so it is not evaluated at all (it is still compile-checked).
   */
  readonly ignoresFirstArgument?: boolean;
}

const fixed = (args: number, returns: StaticType): BuiltinSpec => ({ minArgs: args, maxArgs: args, returns });
const predicate = (returns: StaticType): BuiltinSpec => ({ minArgs: 2, maxArgs: 2, predicate: 'required', returns });
const variadic = (returns: StaticType): BuiltinSpec => ({ minArgs: 1, maxArgs: Infinity, returns });

/** Every callable function and its signature. */
export const BUILTINS: ReadonlyMap<BuiltinName, BuiltinSpec> = new Map<BuiltinName, BuiltinSpec>([
  ['len', fixed(1, 'int')],
  ['all', predicate('bool')],
  ['any', predicate('bool')],
  ['none', predicate('bool')],
  ['one', predicate('bool')],
  ['filter', predicate('array')],
  ['map', predicate('array')],
  ['count', { minArgs: 1, maxArgs: 2, predicate: 'optional', returns: 'int' }],
  ['sum', { minArgs: 1, maxArgs: 2, predicate: 'optional', returns: 'unknown' }],
  ['abs', fixed(1, 'unknown')],
  ['min', variadic('unknown')],
  ['max', variadic('unknown')],
  ['mean', variadic('float')],
  ['median', variadic('float')],
  ['floor', fixed(1, 'float')],
  ['ceil', fixed(1, 'float')],
  ['round', fixed(1, 'float')],
  ['int', fixed(1, 'int')],
  ['float', fixed(1, 'float')],
  ['string', fixed(1, 'string')],
  ['first', fixed(1, 'unknown')],
  ['last', fixed(1, 'unknown')],
  ['asInt', fixed(1, 'int')],
  ['asFloat', fixed(1, 'float')],
  ['isNaN', fixed(1, 'bool')],
  ['isInf', fixed(1, 'bool')],
  ['isNil', { ...fixed(1, 'bool'), ignoresFirstArgument: true }],
  ['default', { ...fixed(2, 'unknown'), ignoresFirstArgument: true }],
  ['now', fixed(0, 'time')],
  ['duration', fixed(1, 'duration')],
  ['date', { minArgs: 1, maxArgs: 3, returns: 'time' }],
]);

/** Narrows an identifier to a builtin name (safe against `constructor` and other prototype names). */
export function isBuiltinName(name: string): name is BuiltinName {
  return BUILTINS.has(name as BuiltinName);
}

/** What builtins may read besides their arguments. */
export interface BuiltinContext {
  readonly result: ExprValue;
  readonly now: (() => number) | undefined;
}

type Implementation = (args: readonly ExprValue[], context: BuiltinContext) => ExprValue;

function numberArgument(name: string, value: ExprValue): number {
  return typeof value === 'number' ? value : fail(`invalid argument for ${name} (type ${goTypeName(value)})`);
}

function float64Parameter(name: string, value: ExprValue): number {
  return typeof value === 'number' ? value : fail(`cannot use ${goTypeName(value)} as argument (type float64) to call ${name}`);
}

function stringParameter(name: string, value: ExprValue): string {
  return typeof value === 'string' ? value : fail(`cannot use ${goTypeName(value)} as argument (type string) to call ${name}`);
}

function length(value: ExprValue): number {
  if (isArray(value)) return value.length;
  if (typeof value === 'string') return Array.from(value).length;
  if (isMap(value)) return mapKeys(value).length;
  return fail(`invalid argument for len (type ${goTypeName(value)})`);
}

// Go's math.Round rounds half away from zero; Math.round rounds half up.
function goRound(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value);
}

const INT64_LIMIT = 2 ** 63;

/** strconv.ParseInt(s, 10, 64), with Go's error texts. */
function parseGoInt(text: string): number | string {
  if (!/^[+-]?\d+$/.test(text)) return `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`;
  const value = Number(text);
  return Math.abs(value) >= INT64_LIMIT ? `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range` : value;
}

/** strconv.ParseFloat(s, 64), with Go's error texts. */
function parseGoFloat(text: string): number | string {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
  const value = Number(text);
  return Number.isFinite(value) ? value : `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`;
}

function toInteger(value: number, name: string): number {
  return Number.isFinite(value) ? Math.trunc(value) + 0 : fail(`${name}: cannot convert ${formatValue(value)} to an integer`);
}

function asInt(value: ExprValue): ExprValue {
  if (typeof value === 'number') return toInteger(value, 'asInt()');
  if (typeof value === 'string') {
    const parsed = parseGoInt(value);
    return typeof parsed === 'number' ? parsed : fail(parsed);
  }
  return fail(`asInt() not supported on ${goTypeName(value)} ${formatValue(value)}`);
}

function asFloat(value: ExprValue): ExprValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = parseGoFloat(value);
    return typeof parsed === 'number' ? parsed : fail(parsed);
  }
  return fail(`asFloat() not supported on ${goTypeName(value)} ${formatValue(value)}`);
}

function toInt(value: ExprValue): ExprValue {
  if (typeof value === 'number') return toInteger(value, 'int()');
  if (typeof value === 'string') {
    const parsed = parseGoInt(value);
    return typeof parsed === 'number' ? parsed : fail(`invalid operation: int(${value})`);
  }
  return fail(`invalid operation: int(${goTypeName(value)})`);
}

function toFloat(value: ExprValue): ExprValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = parseGoFloat(value);
    return typeof parsed === 'number' ? parsed : fail(`invalid operation: float(${value})`);
  }
  return fail(`invalid operation: float(${goTypeName(value)})`);
}

/** Numbers from arguments, flattening (nested) arrays as expr-lang's aggregate functions do. */
function collectNumbers(name: string, args: readonly ExprValue[], into: number[] = []): number[] {
  for (const arg of args) {
    if (isArray(arg)) collectNumbers(name, Array.from({ length: arg.length }, (_, i) => readElement(arg, i)), into);
    else into.push(numberArgument(name, arg));
  }
  return into;
}

// expr-lang's min/max keep the first value unless a later one strictly wins, so NaN only
// survives when it comes first.
function extreme(name: 'min' | 'max', args: readonly ExprValue[]): ExprValue {
  let best: number | null = null;
  for (const value of collectNumbers(name, args)) {
    if (best === null || (name === 'max' ? best < value : best > value)) best = value;
  }
  return best;
}

function mean(args: readonly ExprValue[]): ExprValue {
  const values = collectNumbers('mean', args);
  return values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
}

function median(args: readonly ExprValue[]): ExprValue {
  const values = collectNumbers('median', args).sort((a, b) => a - b);
  const middle = Math.floor(values.length / 2);
  if (values.length === 0) return 0;
  if (values.length % 2 === 1) return values[middle] ?? 0;
  return ((values[middle - 1] ?? 0) + (values[middle] ?? 0)) / 2;
}

// expr-lang's first/last swallow every failure and return nil.
function firstOrLast(value: ExprValue, last: boolean): ExprValue {
  const items: readonly ExprValue[] | undefined = isArray(value) ? value : typeof value === 'string' ? Array.from(value) : undefined;
  if (items === undefined || items.length === 0) return null;
  return readElement(items, last ? items.length - 1 : 0);
}

function fromParsed(parsed: Parsed, make: (ms: number) => ExprValue): ExprValue {
  return parsed.ok ? make(parsed.ms) : fail(parsed.error);
}

function date(args: readonly ExprValue[]): ExprValue {
  const [value = null, layout, zone] = args;
  const text = stringParameter('date', value);
  if (layout === undefined) return fromParsed(parseDate(text), timeValue);
  const zoneName = zone === undefined ? undefined : stringParameter('date', zone);
  return fromParsed(parseWithLayout(text, stringParameter('date', layout), zoneName), timeValue);
}

function now(context: BuiltinContext): ExprValue {
  if (context.now === undefined) return fail('now() is not available');
  let ms: unknown;
  try {
    ms = context.now();
  } catch (error) {
    return fail(`now() failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return typeof ms === 'number' && Number.isFinite(ms) ? timeValue(ms) : fail('now() returned an invalid time');
}

const first = (args: readonly ExprValue[]): ExprValue => args[0] ?? null;

const IMPLEMENTATIONS: ReadonlyMap<BuiltinName, Implementation> = new Map<BuiltinName, Implementation>([
  ['len', (args) => length(first(args))],
  ['abs', (args) => Math.abs(numberArgument('abs', first(args)))],
  ['min', (args) => extreme('min', args)],
  ['max', (args) => extreme('max', args)],
  ['mean', mean],
  ['median', median],
  ['floor', (args) => Math.floor(numberArgument('floor', first(args)))],
  ['ceil', (args) => Math.ceil(numberArgument('ceil', first(args)))],
  ['round', (args) => goRound(numberArgument('round', first(args)))],
  ['int', (args) => toInt(first(args))],
  ['float', (args) => toFloat(first(args))],
  ['string', (args) => formatValue(first(args))],
  ['first', (args) => firstOrLast(first(args), false)],
  ['last', (args) => firstOrLast(first(args), true)],
  ['asInt', (args) => asInt(first(args))],
  ['asFloat', (args) => asFloat(first(args))],
  ['isNaN', (args) => Number.isNaN(float64Parameter('isNaN', first(args)))],
  ['isInf', (args) => Math.abs(float64Parameter('isInf', first(args))) === Infinity],
  ['isNil', (_args, context) => kindOf(context.result) === 'nil'],
  ['default', (args, context) => (kindOf(context.result) === 'nil' ? (args[1] ?? null) : context.result)],
  ['now', (_args, context) => now(context)],
  ['duration', (args) => fromParsed(parseGoDuration(stringParameter('duration', first(args))), durationValue)],
  ['date', date],
]);

/**
 * Runs a non-predicate builtin on already evaluated arguments. For `isNil`/`default` the first
 * argument is ignored (pass anything); they look at `context.result`, exactly like Argo.
 */
export function callBuiltin(name: BuiltinName, args: readonly ExprValue[], context: BuiltinContext): ExprValue {
  const implementation = IMPLEMENTATIONS.get(name);
  return implementation === undefined ? fail(`${name}() needs a predicate`) : implementation(args, context);
}

function requireBool(value: ExprValue): boolean {
  return typeof value === 'boolean' ? value : fail(`predicate should return boolean (got ${goTypeName(value)})`);
}

/** Calls the predicate for element `index`; supplied by the interpreter. */
export type PredicateCallback = (element: ExprValue, index: number) => ExprValue;

function elementsOf(name: BuiltinName, collection: ExprValue): readonly ExprValue[] {
  if (!isArray(collection)) return fail(`builtin ${name} takes only array (got ${goTypeName(collection)})`);
  return collection;
}

/**
 * Runs `all`/`any`/`none`/`one`/`filter`/`map`/`count`/`sum`. `all`/`any`/`none` stop at the
 * first decisive element; the predicate must return a bool wherever one is needed.
 */
export function callPredicateBuiltin(name: BuiltinName, collection: ExprValue, predicate: PredicateCallback | undefined): ExprValue {
  const items = elementsOf(name, collection);
  const test = predicate ?? ((element: ExprValue) => element);
  const each = (index: number) => test(readElement(items, index), index);
  const indexes = Array.from({ length: items.length }, (_, i) => i);
  switch (name) {
    case 'all':
      return indexes.every((i) => requireBool(each(i)));
    case 'any':
      return indexes.some((i) => requireBool(each(i)));
    case 'none':
      return !indexes.some((i) => requireBool(each(i)));
    case 'one':
      return indexes.filter((i) => requireBool(each(i))).length === 1;
    case 'filter':
      return indexes.filter((i) => requireBool(each(i))).map((i) => readElement(items, i));
    case 'map':
      return indexes.map(each);
    case 'count':
      return indexes.filter((i) => requireBool(each(i))).length;
    case 'sum':
      return indexes.reduce<ExprValue>((total, i) => add(total, each(i)), 0);
    default:
      return fail(`${name}() does not take a predicate`);
  }
}
