"""Unit-test helpers: clients against respx mocks, with recorded (not real) sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from axme import AsyncAxmeClient, AxmeClient, AxmeClientConfig

BASE = "http://axme.test"
KEY = "axme_admin_k1_secretsecret"


def make_config(**overrides: object) -> AxmeClientConfig:
    settings: dict[str, object] = {"api_key": KEY, "base_url": BASE}
    settings.update(overrides)
    return AxmeClientConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> Iterator[AxmeClient]:
    with AxmeClient(make_config()) as c:
        c._runner.sleep = sleeps.append
        yield c


@pytest.fixture
async def aclient(sleeps: list[float]) -> AsyncIterator[AsyncAxmeClient]:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with mocked_async_client(make_config()) as c:
        c._runner.sleep = record
        yield c


@asynccontextmanager
async def mocked_async_client(config: AxmeClientConfig) -> AsyncIterator[AsyncAxmeClient]:
    """An async client on httpx, which respx mocks, whatever library it uses by default."""
    async with httpx.AsyncClient() as http, AsyncAxmeClient(config, http_client=http) as client:
        yield client
