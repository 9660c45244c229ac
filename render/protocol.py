"""The pool⇄worker protocol: JSON lines, commands on the worker's stdin, events on its stdout.

The same shapes are declared in render/worker/protocol.mjs, which checks every command it gets;
tests/integration/test_protocol.py compares `shapes()` with it. Events are validated as they are
read, so a malformed one fails its task loudly instead of being half understood.
"""

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import (  # pydantic reads TypedDicts of typing_extensions only, before 3.12
    TypedDict,
    is_typeddict,
)

JsonObject = dict[str, Any]
_STRICT = ConfigDict(extra="forbid", strict=True)


@with_config(_STRICT)
class Composition(TypedDict):
    """The composition as selectComposition() would answer: the pool knows its size and length."""

    width: int
    height: int
    fps: int
    durationInFrames: int


# --- commands ------------------------------------------------------------------------------


@with_config(_STRICT)
class ChunkCommand(TypedDict):
    type: Literal["chunk"]
    id: str
    inputProps: JsonObject
    composition: Composition
    codec: str
    crf: int | None
    jpegQuality: int
    everyNthFrame: int
    frameRange: tuple[int, int]  # both ends inclusive, as Remotion takes it
    lastChunk: bool  # nothing queued behind it: its encoder may use every core
    videoPath: str
    audioPath: str | None  # None: muted (gif)


@with_config(_STRICT)
class CombineCommand(TypedDict):
    type: Literal["combine"]
    id: str
    codec: str
    fps: int
    everyNthFrame: int
    durationInFrames: int
    videoFiles: list[str]
    audioFiles: list[str]  # empty: no audio track
    outputPath: str


@with_config(_STRICT)
class StillCommand(TypedDict):
    type: Literal["still"]
    id: str
    inputProps: JsonObject
    composition: Composition
    frame: int
    scale: float
    jpegQuality: int
    outputPath: str


@with_config(_STRICT)
class CancelCommand(TypedDict):
    type: Literal["cancel"]
    id: str


Command = ChunkCommand | CombineCommand | StillCommand | CancelCommand

# --- events --------------------------------------------------------------------------------


@with_config(_STRICT)
class ReadyEvent(TypedDict):
    type: Literal["ready"]
    bundle: str
    bundleHash: str
    bundleCached: bool
    browserVersion: str  # what renders: part of every chunk's key


@with_config(_STRICT)
class ProgressEvent(TypedDict):
    type: Literal["progress"]
    id: str
    rendered: int
    encoded: int


@with_config(_STRICT)
class ChunkDoneEvent(TypedDict):
    type: Literal["chunk-done"]
    id: str
    videoPath: str
    audioPath: str | None  # None: these frames have no sound
    warnings: list[str]


@with_config(_STRICT)
class CombinedEvent(TypedDict):
    type: Literal["combined"]
    id: str
    outputPath: str
    sizeBytes: int


@with_config(_STRICT)
class StillDoneEvent(TypedDict):
    type: Literal["still-done"]
    id: str
    outputPath: str


@with_config(_STRICT)
class ErrorEvent(TypedDict):
    type: Literal["error"]
    id: str | None  # None: a line that was no command at all
    message: str
    cancelled: bool
    infra: bool  # ours (browser or ffmpeg), not the scene's
    warnings: list[str]


@with_config(_STRICT)
class FatalEvent(TypedDict):
    type: Literal["fatal"]
    message: str


class ExitEvent(TypedDict):
    """Never on the wire: what the pool hands whoever waits on a process that has gone."""

    type: Literal["exit"]


Event = ReadyEvent | ProgressEvent | ChunkDoneEvent | CombinedEvent | StillDoneEvent | ErrorEvent | FatalEvent
EXIT: ExitEvent = {"type": "exit"}
COMMANDS: tuple[type, ...] = (ChunkCommand, CombineCommand, StillCommand, CancelCommand)
EVENTS: tuple[type, ...] = (
    ReadyEvent,
    ProgressEvent,
    ChunkDoneEvent,
    CombinedEvent,
    StillDoneEvent,
    ErrorEvent,
    FatalEvent,
)
_events: TypeAdapter[Event] = TypeAdapter(Annotated[Event, Field(discriminator="type")])
_objects: TypeAdapter[JsonObject] = TypeAdapter(JsonObject)


def parse_event(line: str) -> Event | None:
    """The event a line holds; None for a line that is no JSON object (not ours to read). A JSON
    object that breaks the protocol becomes an error event of its task, so that the task ends."""
    try:
        return _events.validate_json(line)
    except ValidationError as invalid:
        try:
            raw = _objects.validate_json(line)
        except ValidationError:
            return None
        task = raw.get("id")
        return {
            "type": "error",
            "id": task if isinstance(task, str) else None,
            "message": f"the render worker broke the protocol ({invalid.error_count()} errors): {line[:300]}",
            "cancelled": False,
            "infra": True,
            "warnings": [],
        }


# --- the shapes, as protocol.mjs writes them -----------------------------------------------


def _shape(hint: Any) -> Any:
    """A type in protocol.mjs's notation: 'string', 'integer', 'number', 'boolean', 'object',
    'T[]', 'T[n]' (a tuple of n), 'T|null', or an object of field shapes."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return f"{_shape(inner)}|null"
    if origin is list:
        return f"{_shape(args[0])}[]"
    if origin is tuple:
        assert len(set(args)) == 1, "tuples of one type only"
        return f"{_shape(args[0])}[{len(args)}]"
    if origin is dict:
        return "object"
    if is_typeddict(hint):
        return _fields(hint)
    return {str: "string", int: "integer", float: "number", bool: "boolean"}[hint]


def _fields(message: Any) -> dict[str, Any]:
    hints = get_type_hints(message, include_extras=True)
    return {name: _shape(hint) for name, hint in hints.items() if name != "type"}


def _tag(message: Any) -> str:
    (tag,) = get_args(get_type_hints(message)["type"])
    return str(tag)


def shapes() -> dict[str, dict[str, dict[str, Any]]]:
    """Every command and event by its `type`, field by field."""
    return {
        "commands": {_tag(m): _fields(m) for m in COMMANDS},
        "events": {_tag(m): _fields(m) for m in EVENTS},
    }
