/**
 * @module expr/checker
 * Compile-time checks on the typed AST: argument counts, predicates where required, forbidden
 * member names, literal `duration()`/`date()` arguments, and operators whose operand types are
 * already known to clash. expr-lang's checker rejects the same programs at compile time (Argo's
 * `asFloat(result) == "1.1"` test relies on it), and catching them when a template is loaded
 * beats failing on the first measurement.
 */

import { assertNever } from './ast.js';
import type { BinaryNode, BinaryOperator, CallNode, Node, StaticType, UnaryNode } from './ast.js';
import { BUILTINS } from './builtins.js';
import { ExprSyntaxError } from './errors.js';
import { parseDate, parseGoDuration } from './time.js';
import { FORBIDDEN_MEMBER_NAMES } from './values.js';

const GO_NAMES: Readonly<Record<StaticType, string>> = {
  unknown: 'interface {}',
  nil: '<nil>',
  bool: 'bool',
  int: 'int',
  float: 'float64',
  string: 'string',
  array: '[]interface {}',
  map: 'map[string]interface {}',
  time: 'time.Time',
  duration: 'time.Duration',
};

interface CheckContext {
  readonly source: string;
}

function error(context: CheckContext, node: { readonly start: number }, description: string): ExprSyntaxError {
  return new ExprSyntaxError(context.source, node.start, description);
}

const isNumber = (type: StaticType): boolean => type === 'int' || type === 'float';

/** `number` in a rule's result means "int when both operands are int, else float". */
type Rule = readonly [left: StaticType, right: StaticType, result: StaticType | 'number'];

const NUMERIC: Rule = ['float', 'float', 'number'];
const ORDERED: readonly Rule[] = [
  ['float', 'float', 'bool'],
  ['string', 'string', 'bool'],
  ['time', 'time', 'bool'],
  ['duration', 'duration', 'bool'],
];
const STRING_TEST: readonly Rule[] = [['string', 'string', 'bool']];

// The operand pairs expr-lang's checker accepts, and what they produce.
const RULES: ReadonlyMap<BinaryOperator, readonly Rule[]> = new Map<BinaryOperator, readonly Rule[]>([
  ['+', [NUMERIC, ['string', 'string', 'string'], ['time', 'duration', 'time'], ['duration', 'time', 'time'], ['duration', 'duration', 'duration']]],
  ['-', [NUMERIC, ['time', 'time', 'duration'], ['time', 'duration', 'time'], ['duration', 'duration', 'duration']]],
  ['*', [NUMERIC, ['duration', 'float', 'duration'], ['float', 'duration', 'duration']]],
  ['/', [['float', 'float', 'float']]],
  ['**', [['float', 'float', 'float']]],
  ['%', [['int', 'int', 'int']]],
  ['..', [['int', 'int', 'array']]],
  ['<', ORDERED],
  ['>', ORDERED],
  ['<=', ORDERED],
  ['>=', ORDERED],
  ['&&', [['bool', 'bool', 'bool']]],
  ['||', [['bool', 'bool', 'bool']]],
  ['matches', STRING_TEST],
  ['contains', STRING_TEST],
  ['startsWith', STRING_TEST],
  ['endsWith', STRING_TEST],
]);

/** A `float` slot accepts any number; `unknown` (anything derived from `result`) fits every slot. */
function fits(type: StaticType, slot: StaticType): boolean {
  return type === 'unknown' || type === slot || (slot === 'float' && isNumber(type));
}

function ruleResult(rules: readonly Rule[], left: StaticType, right: StaticType): StaticType | undefined {
  const results = rules
    .filter(([l, r]) => fits(left, l) && fits(right, r))
    .map(([, , result]): StaticType => {
      if (result !== 'number') return result;
      if (left === 'int' && right === 'int') return 'int';
      return isNumber(left) && isNumber(right) ? 'float' : 'unknown';
    });
  const [first] = results;
  if (first === undefined) return undefined;
  return results.every((result) => result === first) ? first : 'unknown';
}

function comparable(left: StaticType, right: StaticType): boolean {
  if (left === 'unknown' || right === 'unknown' || left === 'nil' || right === 'nil') return true;
  return left === right || (isNumber(left) && isNumber(right));
}

function binaryResult(node: BinaryNode, left: StaticType, right: StaticType): StaticType | undefined {
  switch (node.operator) {
    case '==':
    case '!=':
      return comparable(left, right) ? 'bool' : undefined;
    case 'in':
      return right === 'unknown' || right === 'array' || right === 'map' ? 'bool' : undefined;
    case '??':
      return left === 'nil' ? right : right === 'nil' || left === right ? left : 'unknown';
    default:
      return ruleResult(RULES.get(node.operator) ?? [], left, right);
  }
}

function checkBinary(node: BinaryNode, context: CheckContext): StaticType {
  const left = typeOf(node.left, context);
  const right = typeOf(node.right, context);
  const result = binaryResult(node, left, right);
  if (result !== undefined) return result;
  throw error(context, node, `invalid operation: ${node.operator} (mismatched types ${GO_NAMES[left]} and ${GO_NAMES[right]})`);
}

function checkUnary(node: UnaryNode, context: CheckContext): StaticType {
  const operand = typeOf(node.operand, context);
  const allowed: readonly StaticType[] = node.operator === '!' ? ['bool'] : node.operator === '-' ? ['int', 'float', 'duration'] : ['int', 'float'];
  if (operand !== 'unknown' && !allowed.includes(operand)) {
    throw error(context, node, `invalid operation: operator ${node.operator} not defined on ${GO_NAMES[operand]}`);
  }
  return node.operator === '!' ? 'bool' : operand;
}

function checkLiteralArgument(node: CallNode, context: CheckContext): void {
  const [argument] = node.args;
  if (argument?.type !== 'literal' || typeof argument.value !== 'string') return;
  const parsed = node.name === 'duration' ? parseGoDuration(argument.value) : node.name === 'date' && node.args.length === 1 ? parseDate(argument.value) : undefined;
  if (parsed !== undefined && !parsed.ok) throw error(context, argument, parsed.error);
}

function checkCall(node: CallNode, context: CheckContext): StaticType {
  const spec = BUILTINS.get(node.name);
  if (spec === undefined) throw error(context, node, `unknown function ${node.name}`);
  const count = node.args.length + (node.predicate === undefined ? 0 : 1);
  if (spec.predicate === 'required' && node.predicate === undefined && count >= spec.minArgs - 1) {
    throw error(context, node, `${node.name} needs a predicate as its second argument, as in ${node.name}(result, {# > 0})`);
  }
  if (count < spec.minArgs || count > spec.maxArgs) {
    const expected = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
    throw error(context, node, `invalid number of arguments to ${node.name} (expected ${expected}, got ${count})`);
  }
  const argumentTypes = node.args.map((argument) => typeOf(argument, context));
  if (node.predicate !== undefined) typeOf(node.predicate, context);
  checkLiteralArgument(node, context);
  const [first] = argumentTypes;
  if (node.name === 'len' && first !== undefined && !['unknown', 'array', 'map', 'string'].includes(first)) {
    throw error(context, node, `invalid argument for len (type ${GO_NAMES[first]})`);
  }
  if (spec.predicate !== undefined && first !== undefined && !['unknown', 'array'].includes(first)) {
    throw error(context, node, `builtin ${node.name} takes only array (got ${GO_NAMES[first]})`);
  }
  return spec.returns;
}

function checkMemberName(node: Node, context: CheckContext): void {
  if (node.type === 'literal' && typeof node.value === 'string' && FORBIDDEN_MEMBER_NAMES.has(node.value)) {
    throw error(context, node, `access to "${node.value}" is not allowed`);
  }
}

const NOT_INDEXABLE: readonly StaticType[] = ['nil', 'bool', 'int', 'float', 'time', 'duration'];

function typeOf(node: Node, context: CheckContext): StaticType {
  switch (node.type) {
    case 'literal':
      if (node.value === null) return 'nil';
      if (typeof node.value === 'number') return node.float ? 'float' : 'int';
      return typeof node.value === 'string' ? 'string' : 'bool';
    case 'array':
      node.elements.forEach((element) => typeOf(element, context));
      return 'array';
    case 'result':
      return 'unknown';
    case 'pointer':
      return node.name === 'index' ? 'int' : 'unknown';
    case 'member': {
      checkMemberName(node.property, context);
      const object = typeOf(node.object, context);
      typeOf(node.property, context);
      if (NOT_INDEXABLE.includes(object) && !(object === 'nil' && node.optional)) {
        throw error(context, node, `cannot fetch from ${GO_NAMES[object]}`);
      }
      return 'unknown';
    }
    case 'slice': {
      const object = typeOf(node.object, context);
      if (node.from !== undefined) typeOf(node.from, context);
      if (node.to !== undefined) typeOf(node.to, context);
      return object === 'array' || object === 'string' ? object : 'unknown';
    }
    case 'chain':
      return typeOf(node.expression, context);
    case 'unary':
      return checkUnary(node, context);
    case 'binary':
      return checkBinary(node, context);
    case 'conditional': {
      const test = typeOf(node.test, context);
      if (test !== 'unknown' && test !== 'bool') throw error(context, node.test, `non-bool expression (type ${GO_NAMES[test]}) used as condition`);
      const consequent = typeOf(node.consequent, context);
      const alternate = typeOf(node.alternate, context);
      return consequent === alternate ? consequent : 'unknown';
    }
    case 'call':
      return checkCall(node, context);
    default:
      return assertNever(node);
  }
}

/**
 * Statically checks a parsed expression and returns its result type (`unknown` when it depends on
 * `result`). Throws {@link ExprSyntaxError} positioned at the offending node.
 */
export function check(ast: Node, source: string): StaticType {
  return typeOf(ast, { source });
}
