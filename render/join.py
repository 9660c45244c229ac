"""Joining a render's chunk files into its output with Remotion's combineChunks(), in a worker.

Chunks write PCM, and the join encodes the audio once (sample-exact across chunks of any length).
A render with no sound in any chunk gets no audio track, as a single pass; a silent chunk beside
chunks with sound gets silence of its exact length.
"""

import itertools
import wave
from collections.abc import Callable
from pathlib import Path

from functions.contract import FPS
from render.chunks import Chunk
from render.commands import combine_command
from render.jobs import RenderFailed, RenderJob
from render.process import WorkerProcess

AUDIO_RATE, AUDIO_CHANNELS, SAMPLE_BYTES = 48000, 2, 2  # what Remotion writes for pcm-16
_ids = itertools.count(1)


def is_silent(wav: Path) -> bool:
    """Remotion writes a track of zeros for frames with no sound at all: that is no audio."""
    with wave.open(str(wav), "rb") as audio:
        return not audio.readframes(audio.getnframes()).strip(b"\0")


def write_silence(path: Path, frames: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(AUDIO_CHANNELS)
        out.setsampwidth(SAMPLE_BYTES)
        out.setframerate(AUDIO_RATE)
        out.writeframes(bytes(AUDIO_CHANNELS * SAMPLE_BYTES * frames * AUDIO_RATE // FPS))
    return path


def audio_to_join(chunks: list[Chunk], files: dict[int, tuple[Path, Path | None]], workdir: Path) -> list[Path]:
    """Each chunk's audio in order, silence where a chunk has none; nothing when no chunk has any."""
    if not any(audio for _, audio in files.values()):
        return []
    return [
        files[chunk.index][1] or write_silence(workdir / f"silence-{chunk.index:04d}.wav", chunk.end - chunk.start)
        for chunk in chunks
    ]


def join(
    job: RenderJob,
    chunks: list[Chunk],
    files: dict[int, tuple[Path, Path | None]],
    workdir: Path,
    live_process: Callable[[], WorkerProcess | None],
    warnings: list[str],
) -> int:
    """The output's size in bytes. Any live process joins; one that dies under the join: once more
    on another. Every failure here is ours."""
    command = combine_command(
        f"{job.id}/combine-{next(_ids)}",
        job.settings,
        chunks[-1].end,
        [files[chunk.index][0] for chunk in chunks],
        audio_to_join(chunks, files, workdir),
        Path(job.output_path),
    )
    for _attempt in range(2):
        process = live_process()
        if process is None:
            break
        events = process.open_route(command["id"])
        try:
            if not process.send(command):
                continue
            event = events.get()
        finally:
            process.close_route(command["id"])
        if event["type"] == "combined":
            return event["sizeBytes"]
        if event["type"] == "error":
            raise RenderFailed(f"the chunks could not be joined: {event['message']}", warnings=warnings, ours=True)
    raise RenderFailed("no render worker was there to join the chunks", warnings=warnings, ours=True)
