"""Interlieux node: one tiers-lieu's ActivityPub server (starlette app, run by uvicorn)."""

__version__ = "0.1.0"
