"""AXME Python SDK: durable execution with human approval built in (AXP v1).

from axme import AxmeClient, AxmeClientConfig
client = AxmeClient(AxmeClientConfig(api_key=os.environ["AXME_API_KEY"]))
"""

from ._profile import config_dir, profile_path
from ._sse import AsyncStream, Stream
from ._transport import CallOptions
from ._version import __version__
from .async_client import AsyncAxmeClient, AsyncDeliveryHandler
from .client import AxmeClient, DeliveryHandler
from .config import DEFAULT_BASE_URL, AxmeClientConfig
from .errors import (
    AuthenticationError,
    AxmeApiError,
    AxmeConnectionError,
    AxmeError,
    AxmeTimeoutError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamError,
    ValidationError,
    WaitTimeoutError,
)
from .intent_handle import AsyncIntentHandle, IntentHandle
from .models import (
    TERMINAL_STATUSES,
    Delivery,
    Event,
    Intent,
    ResponseInfo,
    Task,
    WireObject,
)
from .push import (
    InMemorySeenDeliveries,
    PushReceiver,
    SeenDeliveries,
    SignatureError,
    sign_delivery,
    verify_delivery,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "TERMINAL_STATUSES",
    "AsyncAxmeClient",
    "AsyncDeliveryHandler",
    "AsyncIntentHandle",
    "AsyncStream",
    "AuthenticationError",
    "AxmeApiError",
    "AxmeClient",
    "AxmeClientConfig",
    "AxmeConnectionError",
    "AxmeError",
    "AxmeTimeoutError",
    "BadRequestError",
    "CallOptions",
    "ConflictError",
    "Delivery",
    "DeliveryHandler",
    "Event",
    "InMemorySeenDeliveries",
    "IntentHandle",
    "Intent",
    "NotFoundError",
    "PermissionDeniedError",
    "PushReceiver",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseInfo",
    "SeenDeliveries",
    "ServerError",
    "SignatureError",
    "Stream",
    "StreamError",
    "Task",
    "ValidationError",
    "WaitTimeoutError",
    "config_dir",
    "profile_path",
    "WireObject",
    "__version__",
    "sign_delivery",
    "verify_delivery",
]
