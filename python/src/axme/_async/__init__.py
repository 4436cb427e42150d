"""The clients' calls, written once for asyncio; `axme._sync` is generated from them.

`python/tools/unasync_clients.py` (unasync) rewrites each module here into its blocking
twin in `_sync/` (`async def` → `def`, `await` dropped, `AsyncStream` → `Stream`, ...);
`make -C python gen` writes them and `gen-check` fails when they are stale. What differs
between the two clients by more than that (threads or tasks, closing) stays in
`client.py` and `async_client.py`.
"""
