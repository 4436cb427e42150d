"""A reference server of a check's own, for behaviour that needs flags or a restart the
suite's servers do not have (retention, a crash). Only under --reference: elsewhere the
suite cannot start the server under test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from axme_conformance.contract.client import CheckSkipped, ContractClient, expect


@contextmanager
def private_server(
    c: ContractClient, *args: str, testing: bool = False, log_path: Path | None = None
) -> Iterator[ContractClient]:
    """A fresh reference server started with ``args`` (stderr to ``log_path``); a client with
    its admin key and its data directory."""
    if c.data_dir is None:
        raise CheckSkipped("starts a reference server of its own (--reference)")
    from axme_conformance.server_process import ReferenceServer

    server = ReferenceServer(testing=testing, extra_args=list(args), log_path=log_path)
    try:
        info = server.start()
        expect(bool(info.admin_api_key), "the reference server printed no admin key")
        client = ContractClient(info.base_url, str(info.admin_api_key), data_dir=server.data_dir)
        try:
            yield client
        finally:
            client.close()
    finally:
        server.stop()
