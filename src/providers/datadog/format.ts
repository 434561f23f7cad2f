/**
 * @module providers/datadog/format
 * Measurement values rendered the way Argo's Datadog provider renders them. Argo formats Datadog
 * numbers with Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that read back
 * exactly, never an exponent (`0.00001`, `1200000`), which differs from the `%v` rendering other
 * providers use, so it has its own function.
 */

/**
 * Go's `FormatFloat(value, 'f', -1, 64)`: shortest round-trip digits in plain decimal notation;
 * `NaN`, `+Inf`, `-Inf` for the non-finite values.
 */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential() without an argument yields the shortest digits that identify the number.
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = Number(exponent) + 1;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = `${digits}${'0'.repeat(point - digits.length)}`;
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${text}` : text;
}

/** A list the way Argo's Datadog provider prints grouped results: `[0.5,1,0.00001]`. */
export function formatFloats(values: readonly number[]): string {
  return `[${values.map(formatFloat).join(',')}]`;
}
