/**
 * The error hierarchy shared by every AXME SDK (REQ-ERR-010):
 *
 *   AxmeError
 *   ├── AxmeConnectionError        (network failure; retried)
 *   │   └── AxmeTimeoutError       (an attempt exceeded its timeout)
 *   ├── AxmeApiError               (the server answered non-2xx)
 *   │   ├── BadRequestError (400, other 4xx)   ├── AuthenticationError (401)
 *   │   ├── PermissionDeniedError (403)        ├── NotFoundError (404)
 *   │   ├── ConflictError (409)                ├── ValidationError (422)
 *   │   ├── RateLimitError (429)               ├── RequestTimeoutError (408)
 *   │   └── ServerError (5xx)
 *   ├── WaitTimeoutError           (waitFor's own deadline passed)
 *   └── StreamError                (a stream broke in a way reconnecting cannot fix)
 *
 * Cancelling through an AbortSignal rejects with the signal's own reason
 * (an `AbortError` DOMException by default), never with an AxmeError.
 */

/** The conformance `type` names (conformance/driver-protocol.md), one per error class. */
export type AxmeErrorType =
  | "BadRequest"
  | "Authentication"
  | "PermissionDenied"
  | "NotFound"
  | "Conflict"
  | "Validation"
  | "RateLimit"
  | "Server"
  | "Connection"
  | "Timeout"
  | "WaitTimeout"
  | "Stream";

export class AxmeError extends Error {
  /** Language-neutral error type name, equal in every AXME SDK. */
  readonly type: AxmeErrorType | "Axme" | "Signature" = "Axme";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class AxmeConnectionError extends AxmeError {
  override readonly type: AxmeErrorType = "Connection";
}

export class AxmeTimeoutError extends AxmeConnectionError {
  override readonly type: AxmeErrorType = "Timeout";
}

export class WaitTimeoutError extends AxmeError {
  override readonly type: AxmeErrorType = "WaitTimeout";
  constructor(
    readonly intentId: string,
    /** The last status seen before giving up (null if none was read). */
    readonly lastStatus: string | null,
    timeoutMs: number,
  ) {
    super(`intent ${intentId} was not terminal after ${timeoutMs} ms` + (lastStatus ? ` (last status ${lastStatus})` : ""));
  }
}

export class StreamError extends AxmeError {
  override readonly type: AxmeErrorType = "Stream";
}

/** Everything the server said about a failed request. */
export interface ApiErrorDetails {
  status: number;
  code: string;
  category: string | null;
  retryable: boolean;
  message: string;
  details: unknown;
  requestId: string | null;
  traceId: string | null;
  /** Seconds from the Retry-After header, when one was sent. */
  retryAfter: number | null;
  /** The parsed response body (or the raw text when it was not JSON). */
  body: unknown;
}

export class AxmeApiError extends AxmeError {
  override readonly type: AxmeErrorType = "Server";
  readonly status: number;
  readonly code: string;
  readonly category: string | null;
  readonly retryable: boolean;
  readonly details: unknown;
  readonly requestId: string | null;
  readonly traceId: string | null;
  readonly retryAfter: number | null;
  readonly body: unknown;

  constructor(info: ApiErrorDetails) {
    // `message` is what the server said, unformatted (REQ-ERR-010/013), as in
    // every SDK; toString() adds the status and code for logs.
    super(info.message);
    this.status = info.status;
    this.code = info.code;
    this.category = info.category;
    this.retryable = info.retryable;
    this.details = info.details;
    this.requestId = info.requestId;
    this.traceId = info.traceId;
    this.retryAfter = info.retryAfter;
    this.body = info.body;
  }

  override toString(): string {
    return `${this.name}: ${this.status} ${this.code}: ${this.message}`;
  }
}

export class BadRequestError extends AxmeApiError {
  override readonly type: AxmeErrorType = "BadRequest";
}
export class AuthenticationError extends AxmeApiError {
  override readonly type: AxmeErrorType = "Authentication";
}
export class PermissionDeniedError extends AxmeApiError {
  override readonly type: AxmeErrorType = "PermissionDenied";
}
export class NotFoundError extends AxmeApiError {
  override readonly type: AxmeErrorType = "NotFound";
}
export class ConflictError extends AxmeApiError {
  override readonly type: AxmeErrorType = "Conflict";
}
export class ValidationError extends AxmeApiError {
  override readonly type: AxmeErrorType = "Validation";
}
export class RateLimitError extends AxmeApiError {
  override readonly type: AxmeErrorType = "RateLimit";
}
/** HTTP 408: an API error whose type is Timeout (REQ-ERR-012). */
export class RequestTimeoutError extends AxmeApiError {
  override readonly type: AxmeErrorType = "Timeout";
}
export class ServerError extends AxmeApiError {
  override readonly type: AxmeErrorType = "Server";
}

/** Picks the error class for an HTTP status (the spec's status → type table). */
export function apiErrorClassFor(status: number): new (info: ApiErrorDetails) => AxmeApiError {
  switch (status) {
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 408:
      return RequestTimeoutError;
    case 409:
      return ConflictError;
    case 422:
      return ValidationError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? ServerError : BadRequestError;
  }
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * Builds the typed error for a non-2xx response from its status, headers and
 * body text. Bodies that are not the AXP error envelope still give a usable
 * error (code from the status, message from the text).
 */
export function buildApiError(
  status: number,
  headers: Headers,
  bodyText: string,
  retryAfterSeconds: number | null,
): AxmeApiError {
  let body: unknown = bodyText;
  try {
    body = bodyText === "" ? null : JSON.parse(bodyText);
  } catch {
    // keep the raw text: a proxy's HTML error page is still worth showing
  }
  const envelope = asRecord(asRecord(body)?.["error"]);
  const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
  const envelopeCode = str(envelope?.["code"]);
  // Not the AXP envelope (a proxy's page, say): REQ-ERR-013.
  const code = envelopeCode ?? `http_${status}`;
  const message =
    (envelopeCode ? str(envelope?.["message"]) : null) ?? (bodyText !== "" ? bodyText.slice(0, 200) : `HTTP ${status}`);
  const retryable =
    envelopeCode && typeof envelope?.["retryable"] === "boolean"
      ? (envelope["retryable"] as boolean)
      : status === 408 || status === 429 || status >= 500;
  const ErrorClass = apiErrorClassFor(status);
  return new ErrorClass({
    status,
    code,
    category: str(envelope?.["category"]),
    retryable,
    message,
    details: envelope?.["details"] ?? null,
    requestId: headers.get("x-request-id"),
    traceId: headers.get("x-trace-id"),
    retryAfter: retryAfterSeconds,
    body,
  });
}
