/**
 * A value as the caller gave it, for an error message: numbers as written (`1e+21`, `NaN`), strings
 * quoted and labelled (`"5" (a string)`, so `"5"` is not mistaken for the number 5), other types named.
 * Long strings are cut at 40 characters.
 *
 * @param value - Anything a caller passed.
 * @returns A short description.
 *
 * @example
 * ```ts
 * describeValue("x"); // '"x" (a string)'
 * describeValue(2.5); // "2.5"
 * ```
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "number":
      return String(value);
    case "string": {
      const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `${JSON.stringify(s)} (a string)`;
    }
    case "bigint":
      return `${value}n (a bigint)`;
    case "boolean":
      return `${value} (a boolean)`;
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      if (value === null) return "null";
      if (Array.isArray(value)) return "an array";
      if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
      return "an object";
  }
}
