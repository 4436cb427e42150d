/**
 * What the conformance driver's call tables share: reading a `call`'s wire args
 * (conformance/driver-protocol.md) as the SDK's arguments. A bad argument is a TypeError,
 * which the driver reports as Validation, as the SDK's own argument checks are.
 */
import type { AxmeClient, JsonObject } from "./index.js";

/** One canonical method: the client, the call's wire args, the per-call options. */
export type DriverCall = (client: AxmeClient, args: JsonObject, options: { signal: AbortSignal }) => Promise<unknown>;

export function obj(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

/** The arg `name`, a non-empty string. */
export function str(args: JsonObject, name: string): string {
  const value = args[name];
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} is required`);
  return value;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** The args without `taken` (the ones passed as arguments of their own): a query or a body. */
export function rest(args: JsonObject, ...taken: string[]): JsonObject {
  return Object.fromEntries(Object.entries(args).filter(([k]) => !taken.includes(k)));
}
