"""The blocking client's calls, generated from `axme._async` by unasync.

Edit `_async/`, then `make -C python gen` (tools/unasync_clients.py).
"""
