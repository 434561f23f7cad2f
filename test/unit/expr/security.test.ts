/**
 * @module test/unit/expr/security
 * Injection attempts: expressions come from rollout templates, so nothing in them may reach JS
 * prototypes, globals or code evaluation, at compile time or at run time. Also resource limits
 * and jsep global-state hygiene.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';
import jsep from 'jsep';
import { describe, expect, it } from 'vitest';

import { compile, evaluate, ExprRuntimeError, ExprSyntaxError } from '../../../src/expr/index.js';
import type { ExprValue } from '../../../src/expr/index.js';
import { run, syntaxErrorOf } from './helpers.js';

describe('injection attempts are rejected at compile time', () => {
  it.each([
    { name: 'when .constructor is read then it is forbidden', source: 'result.constructor', message: 'access to "constructor" is not allowed' },
    { name: 'when ["constructor"] is read then it is forbidden', source: 'result["constructor"]', message: 'access to "constructor" is not allowed' },
    { name: 'when .__proto__ is read then it is forbidden', source: 'result.__proto__', message: 'access to "__proto__" is not allowed' },
    { name: 'when .prototype is read then it is forbidden', source: 'result.a.prototype', message: 'access to "prototype" is not allowed' },
    { name: 'when ?.constructor is read then it is forbidden', source: 'result?.constructor', message: 'access to "constructor" is not allowed' },
    { name: 'when #.constructor is read in a predicate then it is forbidden', source: 'all(result, #.constructor == nil)', message: 'access to "constructor" is not allowed' },
    { name: 'when constructor.constructor(...)() is tried then constructor is unknown', source: 'constructor.constructor("return process")()', message: 'unknown name constructor' },
    { name: 'when this is used then it is unknown', source: 'this', message: 'unknown name this' },
    { name: 'when process is used then it is unknown', source: 'process.env', message: 'unknown name process' },
    { name: 'when globalThis is used then it is unknown', source: 'globalThis', message: 'unknown name globalThis' },
    { name: 'when require is called then it is an unknown function', source: 'require("fs")', message: expect.stringMatching(/^unknown function require \(available: /) },
    { name: 'when eval is called then it is an unknown function', source: 'eval("1")', message: expect.stringMatching(/^unknown function eval /) },
    { name: 'when new is used then it is an unknown name', source: 'new Foo', message: 'unknown name new' },
    { name: 'when an arrow function is written then it is rejected', source: 'map(result, x => x)', message: 'unknown name x' },
    { name: 'when a bare arrow follows an operand then it is rejected', source: 'result => 1', message: 'unexpected token "=": arrow functions are not supported' },
    { name: 'when assignment is written then it is rejected', source: 'result = 1', message: 'unexpected token "=": assignment is not supported (use == to compare)' },
    { name: 'when a template literal is written then it is rejected', source: '`${result}`', message: 'unexpected token "`": template literals and backtick strings are not supported' },
    { name: 'when a method is called on a member then it is rejected (Argo TestEvaluateInvalidStruct)', source: 'result.Name()', message: 'method calls are not supported (Name())' },
    { name: 'when a computed member is called then it is rejected', source: 'result["toString"]()', message: 'only builtin functions can be called' },
    { name: 'when a group is called then it is rejected', source: '(result)(1)', message: 'only builtin functions can be called' },
    { name: 'when result is called then it is rejected', source: 'result(1)', message: 'result is not a function' },
    { name: 'when an object literal is written then it is rejected', source: '{a: 1}', message: expect.stringMatching(/^unexpected token "\{": map literals are not supported/) },
    { name: 'when a comma sequence is written then it is rejected', source: '(1, 2)', message: 'unexpected token ",": expected ")" to match "(" at column 1' },
    { name: 'when a regex literal is written then it is rejected', source: 'result matches /a/', message: 'unexpected token "/"' },
    { name: 'when the pipe operator is used then it is rejected', source: 'result | len()', message: 'unexpected token "|"' },
  ])('$name', ({ source, message }) => {
    const error = syntaxErrorOf(source);
    expect(error).toBeInstanceOf(ExprSyntaxError);
    expect(error.message).toEqual(message);
  });
});

interface KeyCase {
  readonly name: string;
  readonly source: string;
  readonly result: ExprValue;
}

describe('computed keys never reach the prototype at run time', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as ExprValue;

  it.each<KeyCase>([
    { name: 'when "__pro" + "to__" is computed on a map then it is refused', source: 'result["__pro" + "to__"]', result: { a: 1 } },
    { name: 'when "__proto__" is an own JSON key then it is still refused', source: 'result["__pro" + "to__"]', result: parsed },
    { name: 'when "constr" + "uctor" is computed on a map then it is refused', source: 'result["constr" + "uctor"]', result: {} },
    { name: 'when "constructor" is computed on an array then it cannot fetch', source: 'result["constr" + "uctor"]', result: [1] },
    { name: 'when "constructor" is computed on a string then it cannot fetch', source: 'result["constr" + "uctor"]', result: 'abc' },
    { name: 'when a forbidden key comes from the data then it is refused', source: 'result.m[result.k]', result: { m: {}, k: 'constructor' } },
  ])('$name', ({ source, result }) => {
    expect(() => run(source, result)).toThrow(ExprRuntimeError);
  });

  it.each<KeyCase>([
    { name: 'when toString is read on a map then it is nil, not a function', source: 'result.toString', result: {} },
    { name: 'when hasOwnProperty is read on a map then it is nil', source: 'result["hasOwn" + "Property"]', result: { a: 1 } },
    { name: 'when valueOf is read on a nested map then it is nil', source: 'result.a.valueOf', result: { a: {} } },
  ])('$name', ({ source, result }) => {
    expect(run(source, result)).toBeNull();
  });

  it('when any key string is used on data then the outcome is a value or an ExprRuntimeError, never a function', () => {
    const prototypeNames = fc.constantFrom(
      'constructor',
      '__proto__',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '__defineGetter__',
      '__lookupGetter__',
      'isPrototypeOf',
      'length',
      'call',
      'apply',
    );
    const program = compile('result.target[result.key]');
    fc.assert(
      fc.property(fc.oneof(prototypeNames, fc.string()), fc.constantFrom<ExprValue>({}, [1, 2], 'abc', { a: 1 }), (key, target) => {
        try {
          const value: unknown = evaluate(program, { result: { target, key } });
          expect(typeof value).not.toBe('function');
          expect(value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Function.prototype).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ExprRuntimeError);
        }
      }),
    );
  });

  it('when a map has an accessor property then it is never invoked', () => {
    const hostile = {
      get a(): ExprValue {
        throw new TypeError('boom');
      },
    };
    expect(run('result.a', hostile as unknown as ExprValue)).toBeNull();
  });

  it('when a host object throws from a trap then the failure is still an ExprRuntimeError', () => {
    const trap = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new TypeError('trap');
        },
      },
    );
    expect(() => run('result.a', trap as unknown as ExprValue)).toThrow(ExprRuntimeError);
  });
});

describe('resource limits', () => {
  it('when parentheses nest absurdly deep then compilation fails cleanly', () => {
    expect(syntaxErrorOf(`${'('.repeat(1000)}1${')'.repeat(1000)}`).message).toBe('expression is nested too deeply');
  });

  it('when unary operators nest absurdly deep then compilation fails cleanly', () => {
    expect(syntaxErrorOf(`${'-'.repeat(5000)}1`).message).toBe('expression is nested too deeply');
  });

  it('when nested predicates multiply the work then the step budget stops them', () => {
    expect(() => run('all(1..1000000, {all(1..1000000, # > 0)})')).toThrow(/^evaluation exceeded \d+ steps$/);
  });
});

describe('the implementation never evaluates code', () => {
  const directory = fileURLToPath(new URL('../../../src/expr/', import.meta.url));
  const sources = readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(join(directory, file), 'utf8') }));

  it.each(sources)('when $file is scanned then it contains no eval, Function or vm', ({ text }) => {
    expect(text).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|from\s+'(node:)?vm'/);
  });
});

describe('jsep stays usable by others', () => {
  it('when an expression is compiled then jsep’s global operator table is restored', () => {
    compile('result[0] > 1 and result[0] not in [2] or true');
    expect(jsep('a === b')).toMatchObject({ type: 'BinaryExpression', operator: '===' });
    expect(jsep('a and b').type).toBe('Compound');
    expect(jsep('2 ** 3 ** 2')).toMatchObject({ operator: '**', right: { operator: '**' } });
  });

  it('when a compile fails then jsep’s global operator table is still restored', () => {
    expect(() => compile('result and')).toThrow(ExprSyntaxError);
    expect(jsep('x >>> 1')).toMatchObject({ operator: '>>>' });
  });
});
