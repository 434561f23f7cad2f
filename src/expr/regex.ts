/**
 * @module expr/regex
 * `matches` uses Go's RE2 syntax. JS regexes are close but not equal, so patterns are translated
 * (leading `(?i)` flags, `(?P<name>…)`, `\A`, `\z`, POSIX classes) and RE2-only restrictions
 * are enforced (no backreferences or lookaround), keeping a pattern's meaning the same as in Argo.
 */

const POSIX_CLASSES: ReadonlyMap<string, string> = new Map([
  ['alnum', '0-9A-Za-z'],
  ['alpha', 'A-Za-z'],
  ['ascii', '\\x00-\\x7F'],
  ['blank', '\\t '],
  ['cntrl', '\\x00-\\x1F\\x7F'],
  ['digit', '0-9'],
  ['graph', '!-~'],
  ['lower', 'a-z'],
  ['print', ' -~'],
  ['punct', '!-\\/:-@\\[-`{-~'],
  ['space', '\\t\\n\\v\\f\\r '],
  ['upper', 'A-Z'],
  ['word', '0-9A-Za-z_'],
  ['xdigit', '0-9A-Fa-f'],
]);

const SUPPORTED_FLAGS = new Set(['i', 'm', 's']);

function unsupported(syntax: string): never {
  throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`${syntax}\``);
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function leadingFlags(pattern: string): { flags: string; rest: string } {
  let rest = pattern;
  const flags = new Set<string>();
  for (let match = /^\(\?([a-zA-Z]+)\)/.exec(rest); match !== null; match = /^\(\?([a-zA-Z]+)\)/.exec(rest)) {
    for (const flag of match[1] ?? '') {
      if (!SUPPORTED_FLAGS.has(flag)) unsupported(`(?${match[1] ?? ''}`);
      flags.add(flag);
    }
    rest = rest.slice(match[0].length);
  }
  return { flags: [...flags].join(''), rest };
}

function translateEscape(pattern: string, i: number, inClass: boolean): { text: string; next: number } {
  const escaped = pattern.charAt(i + 1);
  if (escaped === '') throw new Error('error parsing regexp: trailing backslash at end of expression: ``');
  if (/[1-9]/.test(escaped) || escaped === 'k') unsupported(`\\${escaped}`);
  if (escaped === 'p' || escaped === 'P' || escaped === 'C') unsupported(`\\${escaped}`);
  if (escaped === 'Q') {
    const end = pattern.indexOf('\\E', i + 2);
    const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
    return { text: escapeLiteral(literal), next: end < 0 ? pattern.length : end + 2 };
  }
  if (!inClass && escaped === 'A') return { text: '(?<![\\s\\S])', next: i + 2 };
  if (!inClass && escaped === 'z') return { text: '(?![\\s\\S])', next: i + 2 };
  const braced = /^x\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 1));
  if (braced !== null && braced[1] !== undefined) {
    const code = Number.parseInt(braced[1], 16);
    if (code > 0xffff) unsupported(`\\x{${braced[1]}}`);
    return { text: `\\u${code.toString(16).padStart(4, '0')}`, next: i + 1 + braced[0].length };
  }
  return { text: `\\${escaped}`, next: i + 2 };
}

function translateGroupOpening(pattern: string, i: number): { text: string; next: number } {
  const rest = pattern.slice(i);
  if (rest.startsWith('(?P<')) return { text: '(?<', next: i + 4 };
  if (rest.startsWith('(?:')) return { text: '(?:', next: i + 3 };
  if (/^\(\?<[A-Za-z_]/.test(rest)) return { text: '(?<', next: i + 3 };
  const syntax = /^\(\?(<[=!]|[=!]|[a-zA-Z-]*:?)/.exec(rest)?.[0] ?? '(?';
  return unsupported(syntax);
}

function translateClassStart(pattern: string, i: number): { text: string; next: number } {
  let text = '[';
  let next = i + 1;
  if (pattern.charAt(next) === '^') {
    text += '^';
    next += 1;
  }
  // RE2 reads a `]` right after `[` or `[^` as a literal; JS would read an empty class.
  if (pattern.charAt(next) === ']') {
    text += '\\]';
    next += 1;
  }
  return { text, next };
}

function translatePosixClass(pattern: string, i: number): { text: string; next: number } | undefined {
  const match = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
  if (match === null) return undefined;
  const ranges = POSIX_CLASSES.get(match[2] ?? '');
  if (ranges === undefined) throw new Error(`error parsing regexp: invalid character class range: \`${match[0]}\``);
  if (match[1] === '^') unsupported(match[0]);
  return { text: ranges, next: i + match[0].length };
}

function translateStep(pattern: string, i: number, inClass: boolean): { text: string; next: number } {
  const char = pattern.charAt(i);
  if (char === '\\') return translateEscape(pattern, i, inClass);
  if (inClass) return (char === '[' ? translatePosixClass(pattern, i) : undefined) ?? { text: char, next: i + 1 };
  if (char === '[') return translateClassStart(pattern, i);
  if (char === '(' && pattern.charAt(i + 1) === '?') return translateGroupOpening(pattern, i);
  return { text: char, next: i + 1 };
}

/** Translates an RE2 pattern into JS source plus flags; throws `error parsing regexp: …` on RE2-invalid syntax. */
export function translateRe2(pattern: string): { source: string; flags: string } {
  const { flags, rest } = leadingFlags(pattern);
  let source = '';
  let inClass = false;
  let i = 0;
  while (i < rest.length) {
    const char = rest.charAt(i);
    const step = translateStep(rest, i, inClass);
    if (char === '[' && !inClass) inClass = true;
    else if (char === ']' && inClass) inClass = false;
    source += step.text;
    i = step.next;
  }
  return { source, flags };
}

/** Compiles an RE2 pattern to a JS RegExp (unanchored search, like Go's `MatchString`). Throws on invalid patterns. */
export function compileRegex(pattern: string): RegExp {
  const { source, flags } = translateRe2(pattern);
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new Error(`error parsing regexp: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const CACHE_LIMIT = 256;
const cache = new Map<string, RegExp>();

/** {@link compileRegex} with a small LRU, for patterns only known at runtime. */
export function cachedRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const compiled = compileRegex(pattern);
  cache.set(pattern, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}
