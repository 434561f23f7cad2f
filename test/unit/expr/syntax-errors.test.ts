/**
 * @module test/unit/expr/syntax-errors
 * Compile-time errors: messages and 1-based columns, arity and predicate checks, and
 * operand-type clashes that are detectable before evaluation.
 */
import { describe, expect, it } from 'vitest';

import { compile, ExprSyntaxError } from '../../../src/expr/index.js';
import { syntaxErrorOf } from './helpers.js';

describe('compile errors carry a message and a 1-based column', () => {
  it.each([
    { name: 'when the right operand is missing then the column is the end', source: 'result[0] <', column: 12, message: 'unexpected end of expression' },
    { name: 'when a ) replaces an operand then it points at the )', source: 'result[0] < )', column: 13, message: 'unexpected token ")"' },
    { name: 'when two operators follow each other then it points at the second', source: '1 +* 2', column: 4, message: 'unexpected token "*"' },
    { name: 'when >> is used then the second > is unexpected', source: 'result[0] >> 1', column: 12, message: 'unexpected token ">"' },
    { name: 'when a ( is never closed then it names the opening column', source: '(result[0] < 1', column: 15, message: 'unexpected end of expression: missing ")" to close "(" at column 1' },
    { name: 'when a ) has no opening then it points at the )', source: 'result[0] < 1)', column: 14, message: 'unexpected token ")"' },
    { name: 'when a [ is never closed then it names the opening column', source: 'result[0 < 1', column: 13, message: 'unexpected end of expression: missing "]" to close "[" at column 7' },
    { name: 'when an array literal is never closed then the column is the end', source: '[1, 2', column: 6, message: 'unexpected end of expression: missing "]" to close "[" at column 1' },
    { name: 'when a call is never closed then the column is the end', source: 'len(result', column: 11, message: 'unexpected end of expression: missing ")" to close "(" at column 4' },
    { name: 'when a predicate brace is closed by ) then it points at the )', source: 'all(result, {# > 1)', column: 19, message: 'unexpected token ")": expected "}" to match "{" at column 13' },
    { name: 'when arguments lack a comma then it points at the second argument', source: 'max(1 2)', column: 7, message: 'unexpected token "2": expected "," or ")" to match "(" at column 4' },
    { name: 'when a property name is missing then the column is the end', source: 'result.', column: 8, message: 'unexpected end of expression: expected a property name' },
    { name: 'when a string is not terminated then it points at the quote', source: 'result == "abc', column: 11, message: 'literal not terminated' },
    { name: 'when a string escape is invalid then it points at the backslash', source: '"a\\qb"', column: 3, message: 'invalid char escape' },
    { name: 'when a number runs into letters then it is invalid', source: '1abc > 0', column: 1, message: 'invalid number literal "1abc"' },
    { name: 'when an exponent has no digits then it is invalid', source: '1e > 0', column: 1, message: 'invalid number literal "1e"' },
    { name: 'when the name is unknown then Argo wording is used', source: 'invalidVariable', column: 1, message: 'unknown name invalidVariable' },
    { name: 'when an unknown name appears later then it points at it', source: 'result > 1 && foo', column: 15, message: 'unknown name foo' },
    { name: 'when null is used then it suggests nil', source: 'result == null', column: 11, message: 'unknown name null (use nil)' },
    { name: 'when a builtin is used without a call then it says so', source: 'len > 1', column: 1, message: 'unknown name len (len is a function: call it as len(…))' },
    { name: 'when a ternary lacks : then it points where : was expected', source: 'result[0] > 1 ? 1', column: 18, message: 'unexpected end of expression: expected ":" of a conditional (a ? b : c)' },
    { name: 'when the expression is blank then it points past the blanks', source: '   ', column: 4, message: 'empty expression' },
    { name: 'when two expressions are separated by ; then the second is rejected', source: 'true; false', column: 5, message: 'unexpected token ";": only a single expression is allowed' },
    { name: 'when not is followed by a non-negatable operator then it is rejected', source: '1 not == 2', column: 7, message: 'unexpected token "=": "not" must be followed by in, matches, contains, startsWith or endsWith' },
    { name: 'when # is used outside a predicate then it is rejected', source: '# > 1', column: 1, message: '# can only be used inside a predicate, as in all(result, {# > 0})' },
    { name: 'when .field is used outside a predicate then it is rejected', source: '.x > 1', column: 1, message: 'unexpected token ".": .field shorthand is only allowed inside a predicate' },
    { name: 'when an unknown pointer is used then it is rejected', source: 'all(result, #acc > 1)', column: 13, message: 'unknown pointer #acc: only # and #index are supported' },
    { name: 'when a regex literal is invalid then it points at matches', source: '"a" matches "("', column: 5, message: 'error parsing regexp: Invalid regular expression: /(/: Unterminated group' },
    { name: 'when a regex uses lookahead then RE2 rejects it', source: 'result matches "a(?=b)"', column: 8, message: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`' },
    { name: 'when a regex uses a backreference then RE2 rejects it', source: 'result matches "(a)\\\\1"', column: 8, message: 'error parsing regexp: invalid or unsupported Perl syntax: `\\1`' },
    { name: 'when a duration literal is invalid then it points at the literal', source: 'duration("5d")', column: 10, message: 'time: unknown unit "d" in duration "5d"' },
    { name: 'when a date literal is invalid then it points at the literal', source: 'date("yesterday")', column: 6, message: 'invalid date yesterday' },
  ])('$name', ({ source, column, message }) => {
    const error = syntaxErrorOf(source);
    expect(error).toBeInstanceOf(ExprSyntaxError);
    expect(error.code).toBe('EXPR_SYNTAX');
    expect(error.message).toBe(message);
    expect(error.column).toBe(column);
    expect(error.expression).toBe(source);
  });

  it('when the function is unknown then it names it and lists the valid ones', () => {
    const error = syntaxErrorOf('foo(1)');
    expect(error.column).toBe(1);
    expect(error.message).toMatch(/^unknown function foo \(available: abs, all, any, asFloat, asInt, .*len.*\)$/);
  });

  it('when the source spans lines then line and column are within the line', () => {
    const error = syntaxErrorOf('result[0] > 1 &&\n  foo');
    expect(error.line).toBe(2);
    expect(error.column).toBe(3);
    expect(error.offset).toBe(19);
  });
});

describe('arity and predicate checks', () => {
  it.each([
    { name: 'when len has no argument then it is rejected', source: 'len()', message: 'invalid number of arguments to len (expected 1, got 0)' },
    { name: 'when len has two arguments then it is rejected', source: 'len(result, 1)', message: 'invalid number of arguments to len (expected 1, got 2)' },
    { name: 'when now has an argument then it is rejected', source: 'now(1)', message: 'invalid number of arguments to now (expected 0, got 1)' },
    { name: 'when max has no argument then it is rejected', source: 'max()', message: 'invalid number of arguments to max (expected at least 1, got 0)' },
    { name: 'when date has four arguments then it is rejected', source: 'date("a", "b", "c", "d")', message: 'invalid number of arguments to date (expected 1 to 3, got 4)' },
    { name: 'when default has one argument then it is rejected', source: 'default(result)', message: 'invalid number of arguments to default (expected 2, got 1)' },
    { name: 'when all has no predicate then it asks for one', source: 'all(result)', message: 'all needs a predicate as its second argument, as in all(result, {# > 0})' },
    { name: 'when count has an extra argument then it is rejected', source: 'count(result, # > 1, 3)', message: 'invalid number of arguments to count (expected 1 to 2, got 3)' },
    { name: 'when a predicate builtin gets a literal non-array then it is rejected', source: 'all(1, # > 0)', message: 'builtin all takes only array (got int)' },
    { name: 'when len gets a number literal then it is rejected', source: 'len(1)', message: 'invalid argument for len (type int)' },
  ])('$name', ({ source, message }) => {
    expect(syntaxErrorOf(source).message).toBe(message);
  });
});

describe('compile-time type checks on operands whose types are known', () => {
  it.each([
    { name: 'when a float result is compared with a string then == is rejected (Argo test)', source: 'asFloat(result) == "1.1"', message: 'invalid operation: == (mismatched types float64 and string)' },
    { name: 'when a number is ordered against a string then < is rejected', source: '1 < "a"', message: 'invalid operation: < (mismatched types int and string)' },
    { name: 'when nil is ordered then < is rejected', source: 'nil < 1', message: 'invalid operation: < (mismatched types <nil> and int)' },
    { name: 'when a string is subtracted then - is rejected', source: '"a" - 1', message: 'invalid operation: - (mismatched types string and int)' },
    { name: 'when a bool is added then + is rejected', source: 'true + 1', message: 'invalid operation: + (mismatched types bool and int)' },
    { name: 'when % gets a float literal then it is rejected', source: '5.5 % 2', message: 'invalid operation: % (mismatched types float64 and int)' },
    { name: 'when && gets a number then it is rejected', source: 'result > 1 && 1', message: 'invalid operation: && (mismatched types bool and int)' },
    { name: 'when ! gets a number then it is rejected', source: '!1', message: 'invalid operation: operator ! not defined on int' },
    { name: 'when unary - gets a string then it is rejected', source: '-"a"', message: 'invalid operation: operator - not defined on string' },
    { name: 'when a ternary test is a number then it is rejected', source: '1 ? 2 : 3', message: 'non-bool expression (type int) used as condition' },
    { name: 'when contains gets a number then it is rejected', source: '"abc" contains 1', message: 'invalid operation: contains (mismatched types string and int)' },
    { name: 'when in targets a string then it is rejected', source: '1 in "abc"', message: 'invalid operation: in (mismatched types int and string)' },
    { name: 'when a time is compared with a number then it is rejected', source: 'now() > 5', message: 'invalid operation: > (mismatched types time.Time and int)' },
    { name: 'when a number is indexed then it is rejected', source: '(1)[0]', message: 'cannot fetch from int' },
  ])('$name', ({ source, message }) => {
    expect(syntaxErrorOf(source).message).toBe(message);
  });

  it.each([
    { name: 'when result is compared with a string then the check waits for run time', source: 'result == "x"' },
    { name: 'when result is ordered against a number then the check waits for run time', source: 'result < 1' },
    { name: 'when int and float mix then they are compatible', source: '1 + 1.5 > 2' },
    { name: 'when nil is compared for equality then it is allowed', source: 'result == nil' },
  ])('$name', ({ source }) => {
    expect(() => compile(source)).not.toThrow();
  });
});
