/**
 * @module expr/ast
 * The typed syntax tree the checker and interpreter walk. jsep's loosely typed tree never leaves
 * the parser, so everything downstream gets exhaustive `switch`es instead of string probing.
 */

/** Binary operators after canonicalisation (`and` → `&&`, `or` → `||`, `^` → `**`). */
export type BinaryOperator =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'matches'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | '..'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '??';

/** Unary operators after canonicalisation (`not` → `!`). */
export type UnaryOperator = '!' | '-' | '+';

/** The closed set of callable functions. */
export type BuiltinName =
  | 'len'
  | 'all'
  | 'any'
  | 'none'
  | 'one'
  | 'filter'
  | 'map'
  | 'count'
  | 'sum'
  | 'abs'
  | 'min'
  | 'max'
  | 'mean'
  | 'median'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'int'
  | 'float'
  | 'string'
  | 'first'
  | 'last'
  | 'asInt'
  | 'asFloat'
  | 'isNaN'
  | 'isInf'
  | 'isNil'
  | 'default'
  | 'now'
  | 'duration'
  | 'date';

/**
 * What the checker knows about a value before running: `unknown` for anything derived from
 * `result`, a concrete type for literals and builtins with fixed return types.
 */
export type StaticType =
  | 'unknown'
  | 'nil'
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'array'
  | 'map'
  | 'time'
  | 'duration';

interface Located {
  /** 0-based offset of the token that best identifies this node (operator, name, bracket). */
  readonly start: number;
}

/** `1`, `0.5`, `"s"`, `true`, `nil`. `float` records literal syntax (`1.0`, `1e3`) for typing. */
export interface LiteralNode extends Located {
  readonly type: 'literal';
  readonly value: null | boolean | number | string;
  readonly float: boolean;
}

/** `[a, b]`. */
export interface ArrayNode extends Located {
  readonly type: 'array';
  readonly elements: readonly Node[];
}

/** The `result` variable, the only free name. */
export interface ResultNode extends Located {
  readonly type: 'result';
}

/** `#` (the current element) or `#index` inside a predicate. */
export interface PointerNode extends Located {
  readonly type: 'pointer';
  readonly name: 'element' | 'index';
}

/** `a.b`, `a["b"]`, `a[0]`, `a?.b`. `.b` is stored as a string literal property. */
export interface MemberNode extends Located {
  readonly type: 'member';
  readonly object: Node;
  readonly property: Node;
  readonly optional: boolean;
}

/** `a[1:3]`, `a[:2]`, `a[1:]`. */
export interface SliceNode extends Located {
  readonly type: 'slice';
  readonly object: Node;
  readonly from: Node | undefined;
  readonly to: Node | undefined;
  readonly optional: boolean;
}

/** Wraps a postfix chain containing `?.` so a nil link short-circuits the whole chain to nil. */
export interface ChainNode extends Located {
  readonly type: 'chain';
  readonly expression: Node;
}

/** `!x`, `not x`, `-x`, `+x`. */
export interface UnaryNode extends Located {
  readonly type: 'unary';
  readonly operator: UnaryOperator;
  readonly operand: Node;
}

/** `a op b`. `regex` is the precompiled pattern when `matches` has a string-literal right side. */
export interface BinaryNode extends Located {
  readonly type: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Node;
  readonly right: Node;
  readonly regex?: RegExp;
}

/** `test ? consequent : alternate`. */
export interface ConditionalNode extends Located {
  readonly type: 'conditional';
  readonly test: Node;
  readonly consequent: Node;
  readonly alternate: Node;
}

/**
 * A builtin call. Predicate builtins (`all`, `filter`, …) keep their predicate body apart from
 * the ordinary arguments because it is evaluated once per element with `#` bound.
 */
export interface CallNode extends Located {
  readonly type: 'call';
  readonly name: BuiltinName;
  readonly args: readonly Node[];
  readonly predicate: Node | undefined;
}

/** Every node the interpreter understands. */
export type Node =
  | LiteralNode
  | ArrayNode
  | ResultNode
  | PointerNode
  | MemberNode
  | SliceNode
  | ChainNode
  | UnaryNode
  | BinaryNode
  | ConditionalNode
  | CallNode;

/** Compile-time exhaustiveness guard for `switch` over {@link Node} and friends. */
export function assertNever(value: never): never {
  throw new Error(`unexpected node ${JSON.stringify(value)}`);
}
