/**
 * @module test/unit/expr/precedence
 * Operator precedence and associativity, pinned to expr-lang v1.17's table so conditions
 * group exactly as they do in Argo.
 */
import { describe, expect, it } from 'vitest';

import { run, syntaxErrorOf } from './helpers.js';

describe('operator precedence and associativity (expr-lang v1.17 table)', () => {
  it.each([
    { name: 'when * follows + then * binds tighter', source: '2 + 3 * 4', expected: 14 },
    { name: 'when parentheses group then they win', source: '(2 + 3) * 4', expected: 20 },
    { name: 'when - repeats then it is left associative', source: '10 - 4 - 3', expected: 3 },
    { name: 'when / repeats then it is left associative', source: '100 / 10 / 5', expected: 2 },
    { name: 'when * and % share a level then they apply left to right', source: '2 * 3 % 4', expected: 2 },
    { name: 'when ** repeats then it is right associative', source: '2 ** 3 ** 2', expected: 512 },
    { name: 'when ^ is used then it is ** and right associative', source: '2 ^ 3 ^ 2', expected: 512 },
    { name: 'when unary minus precedes ** then ** binds tighter', source: '-2 ** 2', expected: -4 },
    { name: 'when ** has a negative exponent then the unary applies to it', source: '2 ** -1', expected: 0.5 },
    { name: 'when unary minus precedes * then the unary binds tighter', source: '-2 * 3', expected: -6 },
    { name: 'when unary minus repeats then it nests', source: '- - 1', expected: 1 },
    { name: 'when unary plus is used then the number is unchanged', source: '+3 - 1', expected: 2 },
    { name: 'when ** meets - then ** binds tighter', source: '10 - 2 ** 2', expected: 6 },
    { name: 'when + meets .. then + binds tighter', source: '2 + 1..4', expected: [3, 4] },
    { name: 'when .. meets == then .. binds tighter', source: '1..3 == [1, 2, 3]', expected: true },
    { name: 'when + meets < then + binds tighter', source: '1 + 2 < 4', expected: true },
    { name: 'when < meets == then they share a level, left to right', source: '1 < 2 == true', expected: true },
    { name: 'when in meets == then they share a level, left to right', source: '2 in [1, 2] == true', expected: true },
    { name: 'when && meets || then && binds tighter', source: 'true || false && false', expected: true },
    { name: 'when and meets or then and binds tighter', source: 'false and true or true', expected: true },
    { name: 'when not precedes == then not binds tighter', source: 'not true == false', expected: true },
    { name: 'when ! precedes && then ! binds tighter', source: '!false && false', expected: false },
    { name: 'when ?? sits inside * then ?? binds tighter', source: '2 * nil ?? 3', expected: 6 },
    { name: 'when ?? repeats then it is left associative', source: 'nil ?? nil ?? 4', expected: 4 },
    { name: 'when a ternary ends an expression then it has the lowest precedence', source: 'true ? 1 : 2 + 3', expected: 1 },
    { name: 'when ternaries nest in the alternate then they associate to the right', source: 'false ? 1 : true ? 2 : 3', expected: 2 },
    { name: 'when a ternary test is a comparison then the comparison binds tighter', source: '1 < 2 ? "y" : "n"', expected: 'y' },
    { name: 'when comparisons chain then they mean a conjunction', source: '1 < 2 < 3', expected: true },
    { name: 'when a chained comparison breaks then it is false', source: '1 < 3 < 2', expected: false },
    { name: 'when a descending chain holds then it is true', source: '3 > 2 >= 2 > 1', expected: true },
    { name: 'when not in is used then it negates in', source: '3 not in [1, 2]', expected: true },
    { name: 'when not in meets || then not in binds tighter', source: '1 not in [1] || true', expected: true },
    { name: 'when string + meets == then + binds tighter', source: '"a" + "b" == "ab"', expected: true },
    { name: 'when member access follows a group then it applies to the group', source: '([1, 2, 3])[1]', expected: 2 },
    { name: 'when unary minus precedes an index then the index binds tighter', source: '-[5][0]', expected: -5 },
  ])('$name', ({ source, expected }) => {
    expect(run(source)).toEqual(expected);
  });

  it.each([
    { name: 'when not precedes in then not binds first (expr-lang) and the types clash', source: 'not 2 in [1]', message: 'invalid operation: operator ! not defined on int' },
    { name: 'when == is followed by < then (a == b) < c is a bool/int clash', source: '1 == 1 < 2', message: 'invalid operation: < (mismatched types bool and int)' },
    { name: 'when ?? is followed by another operator then they cannot be mixed', source: 'nil ?? 2 * 3', message: 'Operator (*) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.' },
    { name: 'when a ?? result is compared without parentheses then it is rejected', source: 'result[0] ?? 0 > 1', message: 'Operator (>) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.' },
  ])('$name', ({ source, message }) => {
    expect(syntaxErrorOf(source).message).toBe(message);
  });

  it('when ?? is parenthesised before a comparison then it works', () => {
    expect(run('(result[0] ?? 0) > 1', [null])).toBe(false);
  });
});
