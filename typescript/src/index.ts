export { AxmeClient, type WaitForOptions } from "./client.js";
export { DEFAULT_BASE_URL, type AxmeClientOptions } from "./config.js";
export type { ObserveOptions } from "./observe.js";
export type { DeliveryContext, DeliveryHandler, ListenOptions, ServeOptions } from "./listen.js";
export type { RunAgentOptions } from "./run-agent.js";
export type { StreamOptions } from "./sse.js";
export type { AxmeLogger, RequestOptions } from "./transport.js";
export { configDir, profilePath } from "./profile.js";
export { IntentHandle } from "./intent-handle.js";
export {
  AxmeError,
  AxmeConnectionError,
  AxmeTimeoutError,
  WaitTimeoutError,
  StreamError,
  AxmeApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  ValidationError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
  type ApiErrorDetails,
  type AxmeErrorType,
} from "./errors.js";
export {
  createPushReceiver,
  InMemorySeenDeliveries,
  SignatureError,
  signDelivery,
  verifyDelivery,
  type HeaderSource,
  type PushReceiver,
  type PushReceiverOptions,
  type SeenDeliveries,
  type SignatureFailure,
  type VerifyDeliveryOptions,
} from "./push.js";
export * from "./models.js";
export { VERSION } from "./version.js";
