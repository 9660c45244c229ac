"""Render backends: Remotion Lambda, or the local worker that the local stack supplies."""

from functions.backends.base import (
    BackendProgress,
    BackendRefused,
    BackendStart,
    Failed,
    RenderBackend,
    RenderRequest,
    Running,
    StillRequest,
    Succeeded,
    remotion_failure_is_ours,
)

__all__ = [
    "BackendProgress",
    "BackendRefused",
    "BackendStart",
    "Failed",
    "RenderBackend",
    "RenderRequest",
    "Running",
    "StillRequest",
    "Succeeded",
    "remotion_failure_is_ours",
]
