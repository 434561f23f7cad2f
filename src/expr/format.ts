/**
 * @module expr/format
 * Renders values the way Argo users expect to read them in measurement values and messages:
 * Go-like numbers (`+Inf`, `1e-05`), `<nil>`, compact JSON-ish collections.
 */

import { formatGoDuration, formatTime } from './time.js';
import { kindOf, mapKeys, readElement, readOwn } from './values.js';
import type { DurationValue, ExprMap, ExprValue, TimeValue } from './values.js';

/**
 * Go's `%v` for numbers. Integral values print as integers (`1`, not `1e+00`); others use Go's
 * shortest `%g`, which switches to an exponent below 1e-4 and from 1e6 (`1.2345675e+06`).
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value === 0 ? 0 : value);
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function formatNested(value: unknown): string {
  switch (kindOf(value)) {
    case 'nil':
      return 'null';
    case 'string':
      return JSON.stringify(value);
    case 'time':
      return JSON.stringify(formatTime((value as TimeValue).ms));
    case 'duration':
      return JSON.stringify(formatGoDuration((value as DurationValue).ms));
    default:
      return formatValue(value as ExprValue);
  }
}

/**
 * Go-like rendering for messages and `Measurement.value`: `0.97`, `1`, `NaN`, `+Inf`, `-Inf`,
 * `[0.97,0.5]` (no spaces), `<nil>`, strings as-is, maps as JSON (`{"a":1}`), times as RFC 3339,
 * durations as Go durations (`10m0s`). Nested strings are JSON-quoted so `["a b"]` stays readable.
 */
export function formatValue(value: ExprValue): string {
  switch (kindOf(value)) {
    case 'nil':
      return '<nil>';
    case 'bool':
      return String(value);
    case 'number':
      return formatNumber(value as number);
    case 'string':
      return value as string;
    case 'time':
      return formatTime((value as TimeValue).ms);
    case 'duration':
      return formatGoDuration((value as DurationValue).ms);
    case 'array': {
      const array = value as readonly ExprValue[];
      return `[${Array.from({ length: array.length }, (_, i) => formatNested(readElement(array, i))).join(',')}]`;
    }
    case 'map': {
      const map = value as ExprMap;
      return `{${mapKeys(map)
        .map((key) => `${JSON.stringify(key)}:${formatNested(readOwn(map, key))}`)
        .join(',')}}`;
    }
    case 'unsupported':
      return `<unsupported ${typeof value}>`;
  }
}

const PREVIEW_LIMIT = 200;

/** {@link formatValue} cut to a readable length for messages; long range-query results would drown them. */
export function previewValue(value: ExprValue): string {
  const text = formatValue(value);
  return text.length <= PREVIEW_LIMIT ? text : `${text.slice(0, PREVIEW_LIMIT)}… (${text.length - PREVIEW_LIMIT} more characters)`;
}
