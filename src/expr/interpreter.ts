/**
 * @module expr/interpreter
 * Walks the typed AST. No `eval`, no `Function`, no dynamic property access: values are read only
 * through the own-property readers in `values.ts`, and every failure surfaces as
 * {@link ExprRuntimeError}.
 */

import { assertNever } from './ast.js';
import type { BinaryNode, CallNode, Node } from './ast.js';
import { BUILTINS, callBuiltin, callPredicateBuiltin } from './builtins.js';
import type { BuiltinContext } from './builtins.js';
import type { Program } from './compile.js';
import { ExprRuntimeError, fail } from './errors.js';
import { applyBinary, applyUnary, fetch, logicalMismatch, slice } from './operators.js';
import { goTypeName, normalize } from './values.js';
import type { ExprValue } from './values.js';

/** What an expression can see. */
export interface ExprEnv {
  /** The metric provider's result, bound to `result`. `undefined` reads as nil. */
  readonly result: ExprValue;
  /**
   * Epoch milliseconds for `now()`. Injected because the engine replays history on a virtual
   * clock; when absent, `now()` fails with "now() is not available".
   */
  readonly now?: () => number;
}

/**
 * Evaluation budget (nodes visited). Predicates over ranges can multiply (`all(1..1000000,
 * {all(1..1000000, …)})`); a budget turns that into an error instead of a hung worker.
 */
export const MAX_EVALUATION_STEPS = 10_000_000;

interface Frame {
  readonly element: ExprValue;
  readonly index: number;
}

interface Context extends BuiltinContext {
  readonly frames: Frame[];
  steps: number;
}

// Marks a `?.` link whose object was nil: the rest of the chain is skipped and yields nil.
const SHORT_CIRCUIT: unique symbol = Symbol('short-circuit');
type Link = ExprValue | typeof SHORT_CIRCUIT;

function evalNode(node: Node, context: Context): ExprValue {
  context.steps += 1;
  if (context.steps > MAX_EVALUATION_STEPS) fail(`evaluation exceeded ${MAX_EVALUATION_STEPS} steps`);
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'array':
      return node.elements.map((element) => evalNode(element, context));
    case 'result':
      return context.result;
    case 'pointer':
      return evalPointer(node.name, context);
    case 'chain':
    case 'member':
    case 'slice': {
      const value = evalLink(node.type === 'chain' ? node.expression : node, context);
      return value === SHORT_CIRCUIT ? null : value;
    }
    case 'unary':
      return applyUnary(node.operator, evalNode(node.operand, context));
    case 'binary':
      return evalBinary(node, context);
    case 'conditional':
      return evalConditional(node.test, node.consequent, node.alternate, context);
    case 'call':
      return evalCall(node, context);
    default:
      return assertNever(node);
  }
}

function evalPointer(name: 'element' | 'index', context: Context): ExprValue {
  const frame = context.frames.at(-1);
  if (frame === undefined) return fail('# used outside a predicate');
  return name === 'index' ? frame.index : frame.element;
}

/**
 * Evaluates a postfix link; inside a `?.` chain a nil object short-circuits the remaining links.
 * A nested chain node (e.g. from parentheses) is a boundary and yields plain nil.
 */
function evalLink(node: Node, context: Context): Link {
  switch (node.type) {
    case 'member': {
      const object = evalLink(node.object, context);
      if (object === SHORT_CIRCUIT || (object === null && node.optional)) return SHORT_CIRCUIT;
      return fetch(object, evalNode(node.property, context));
    }
    case 'slice': {
      const object = evalLink(node.object, context);
      if (object === SHORT_CIRCUIT || (object === null && node.optional)) return SHORT_CIRCUIT;
      const low = node.from === undefined ? null : evalNode(node.from, context);
      const high = node.to === undefined ? null : evalNode(node.to, context);
      return slice(object, low, high);
    }
    default:
      return evalNode(node, context);
  }
}

function evalLogical(operator: '&&' | '||', node: BinaryNode, context: Context): ExprValue {
  const left = evalNode(node.left, context);
  if (typeof left === 'boolean' && left === (operator === '||')) return left;
  const right = evalNode(node.right, context);
  if (typeof left !== 'boolean' || typeof right !== 'boolean') return logicalMismatch(operator, left, right);
  return right;
}

function evalBinary(node: BinaryNode, context: Context): ExprValue {
  switch (node.operator) {
    case '&&':
    case '||':
      return evalLogical(node.operator, node, context);
    case '??': {
      const left = evalNode(node.left, context);
      return left === null ? evalNode(node.right, context) : left;
    }
    default:
      return applyBinary(node.operator, evalNode(node.left, context), evalNode(node.right, context), node.regex);
  }
}

function evalConditional(test: Node, consequent: Node, alternate: Node, context: Context): ExprValue {
  const condition = evalNode(test, context);
  if (typeof condition !== 'boolean') return fail(`non-bool expression (type ${goTypeName(condition)}) used as condition`);
  return evalNode(condition ? consequent : alternate, context);
}

function evalCall(node: CallNode, context: Context): ExprValue {
  const spec = BUILTINS.get(node.name);
  if (spec?.predicate !== undefined) {
    const [collectionNode] = node.args;
    if (collectionNode === undefined) return fail(`${node.name}() needs an array argument`);
    const collection = evalNode(collectionNode, context);
    const body = node.predicate;
    const predicate =
      body === undefined
        ? undefined
        : (element: ExprValue, index: number): ExprValue => {
            context.frames.push({ element, index });
            try {
              return evalNode(body, context);
            } finally {
              context.frames.pop();
            }
          };
    return callPredicateBuiltin(node.name, collection, predicate);
  }
  // Argo's isNil/default never look at their first argument, so it is not evaluated.
  const args = node.args.map((argument, i) => (i === 0 && spec?.ignoresFirstArgument === true ? null : evalNode(argument, context)));
  return callBuiltin(node.name, args, context);
}

function internalError(error: unknown): ExprRuntimeError {
  if (error instanceof RangeError) return new ExprRuntimeError('expression is nested too deeply to evaluate');
  return new ExprRuntimeError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Interprets a compiled program against `env`. Throws only {@link ExprRuntimeError} (type
 * mismatches, index out of range, failing builtins, …), never a raw JS error.
 */
export function evaluate(program: Program, env: ExprEnv): ExprValue {
  const context: Context = { result: normalize(env.result), now: env.now, frames: [], steps: 0 };
  try {
    return evalNode(program.ast, context);
  } catch (error) {
    throw error instanceof ExprRuntimeError ? error : internalError(error);
  }
}

/**
 * {@link evaluate}, then require a bool, as Argo does: otherwise `expected bool, but got int`
 * (integral numbers report `int`, others `float64`; strings `string`, nil `<nil>`, …).
 */
export function evaluateCondition(program: Program, env: ExprEnv): boolean {
  const value = evaluate(program, env);
  if (typeof value === 'boolean') return value;
  throw new ExprRuntimeError(`expected bool, but got ${goTypeName(value)}`);
}
