"""Render backends, chosen by RENDER_MODE at start-up: Remotion Lambda, or the local worker."""

from functions.backends.base import BackendProgress, BackendRefused, BackendStart, RenderBackend, RenderRequest

__all__ = ["BackendProgress", "BackendRefused", "BackendStart", "RenderBackend", "RenderRequest"]
