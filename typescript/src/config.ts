/**
 * Client configuration (REQ-CLIENT-001, REQ-CLIENT-008): each member is taken
 * from the options, else the environment, else the profile `axme login` saved
 * (read only when needed), else the default; bad values fail before any request.
 */
import { AxmeError } from "./errors.js";
import type { AxmeLogger, TransportConfig } from "./transport.js";
import { profilePath, readProfile } from "./profile.js";
import { DEFAULT_RETRY_POLICY } from "./retry.js";

export const DEFAULT_BASE_URL = "https://api.cloud.axme.ai";
const DEFAULT_TIMEOUT_MS = 30_000;

export interface AxmeClientOptions {
  /** API key (admin, agent or human). Default: the AXME_API_KEY environment variable. */
  apiKey?: string;
  /** Server URL. Default: AXME_BASE_URL, else the public AXME cloud. */
  baseUrl?: string;
  /** Per-attempt timeout in milliseconds (default 30 000). Streams use an idle timeout instead. */
  timeout?: number;
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number;
  /** First retry delay in milliseconds, doubled per retry, capped at 8 s (default 500). */
  retryBaseDelay?: number;
  /** fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
  /**
   * Debug log of every HTTP attempt and stream (method, path, status, attempt,
   * request id, trace id; never keys or bodies). Default: none. `console` works.
   */
  logger?: AxmeLogger;
}

export function env(name: string): string | undefined {
  const value = typeof process !== "undefined" ? process.env?.[name] : undefined;
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

/** The transport settings for `options`; throws AxmeError for a missing key or a bad value. */
export function resolveConfig(options: AxmeClientOptions): TransportConfig {
  let apiKey = options.apiKey?.trim() || env("AXME_API_KEY") || "";
  let givenUrl = options.baseUrl?.trim() || env("AXME_BASE_URL");
  if (apiKey === "" || givenUrl === undefined) {
    const profile = readProfile();
    apiKey ||= profile.apiKey ?? "";
    givenUrl ??= profile.baseUrl;
  }
  if (apiKey === "") {
    throw new AxmeError(`no API key: pass { apiKey }, set AXME_API_KEY or run \`axme login\` (profile: ${profilePath()})`);
  }
  const baseUrl = (givenUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(baseUrl)) throw new AxmeError(`baseUrl must start with http:// or https:// (got "${baseUrl}")`);
  const positive = (v: number | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < 0) throw new AxmeError(`${name} must be a non-negative number (got ${v})`);
    return v;
  };
  const retry = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: Math.floor(positive(options.maxRetries, "maxRetries", DEFAULT_RETRY_POLICY.maxRetries)),
    baseDelayMs: positive(options.retryBaseDelay, "retryBaseDelay", DEFAULT_RETRY_POLICY.baseDelayMs),
  };
  return {
    apiKey,
    baseUrl,
    timeoutMs: positive(options.timeout, "timeout", DEFAULT_TIMEOUT_MS),
    retry,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    ...(options.logger ? { logger: options.logger } : {}),
  };
}
