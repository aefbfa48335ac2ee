"""Hosting any ASGI app: in-process (:mod:`._inprocess`, :mod:`._transport`) or over HTTP
(:mod:`._server`).

Shared by the mock (``server``), webhook conformance (``webhooks``) and the run's
in-process target (``runner``), none of which it imports. Nothing is imported here: httpx
and uvicorn are loaded only by the modules that need them, on first use.
"""
