"""The commands the pool sends its workers, built from jobs and chunks (shapes in protocol.py)."""

from pathlib import Path

from functions.contract import FPS
from functions.render_settings import RenderSettings
from render.chunks import Chunk
from render.jobs import RenderJob, StillJob
from render.protocol import CancelCommand, ChunkCommand, CombineCommand, StillCommand


def chunk_command(
    task_id: str, job: RenderJob, chunk: Chunk, total_frames: int, video: Path, audio: Path | None, last: bool
) -> ChunkCommand:
    settings = job.settings
    return {
        "type": "chunk",
        "id": task_id,
        "inputProps": job.input_props,
        "composition": {
            "width": settings.width,
            "height": settings.height,
            "fps": FPS,
            "durationInFrames": total_frames,
        },
        "codec": settings.codec,
        "crf": settings.crf,
        "jpegQuality": settings.jpeg_quality,
        "everyNthFrame": settings.every_nth_frame,
        "frameRange": chunk.frame_range,
        "lastChunk": last,
        "videoPath": str(video),
        "audioPath": str(audio) if audio else None,
    }


def combine_command(
    task_id: str, settings: RenderSettings, total_frames: int, videos: list[Path], audios: list[Path], output: Path
) -> CombineCommand:
    return {
        "type": "combine",
        "id": task_id,
        "codec": settings.codec,
        "fps": settings.fps,
        "everyNthFrame": settings.every_nth_frame,
        "durationInFrames": total_frames,
        "videoFiles": [str(video) for video in videos],
        "audioFiles": [str(audio) for audio in audios],
        "outputPath": str(output.resolve()),
    }


def still_command(task_id: str, job: StillJob) -> StillCommand:
    props = job.input_props
    return {
        "type": "still",
        "id": task_id,
        "inputProps": props,
        "composition": {
            "width": props["width"],
            "height": props["height"],
            "fps": FPS,
            "durationInFrames": sum(scene["durationInFrames"] for scene in props["scenes"]),
        },
        "frame": job.frame,
        "scale": job.scale,
        "jpegQuality": job.jpeg_quality,
        "outputPath": str(Path(job.output_path).resolve()),
    }


def cancel_command(task_id: str) -> CancelCommand:
    return {"type": "cancel", "id": task_id}
