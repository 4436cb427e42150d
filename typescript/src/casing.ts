/**
 * Request casing: callers may write top-level request fields in camelCase
 * (`intentType`, `toAgent`) or snake_case (`intent_type`); the wire is always
 * snake_case. Only top-level keys are renamed — values (payload, result, data,
 * human_task…) are user data and travel exactly as given.
 */

/** `intentType` → `intent_type`; keys without capitals are returned as is. */
export function snakeCaseKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Returns a new object with top-level keys in snake_case. Throws a TypeError
 * when two spellings of the same field are both given (e.g. `toAgent` and
 * `to_agent`), so a conflicting input is never silently half-dropped.
 * Keys whose value is `undefined` are left out, as JSON would.
 */
export function toWireKeys(input: object, what = "request"): Record<string, unknown> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new TypeError(`${what} must be an object`);
  }
  const out: Record<string, unknown> = {};
  const spelledAs: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const wireKey = snakeCaseKey(key);
    const previous = spelledAs[wireKey];
    if (previous !== undefined) {
      throw new TypeError(`${what}: both "${previous}" and "${key}" were given; pass only one`);
    }
    spelledAs[wireKey] = key;
    out[wireKey] = value;
  }
  return out;
}

/** Query parameters: same renaming; undefined/null values are dropped. */
export function toWireQuery(params: object | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!params) return out;
  for (const [key, value] of Object.entries(toWireKeys(params, "query"))) {
    if (value === null || value === undefined) continue;
    out[key] = String(value);
  }
  return out;
}
