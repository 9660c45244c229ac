"""Decoding test videos with the ffmpeg and ffprobe Remotion ships, and comparing them frame by frame."""

import io
import json
import math
import os
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from functions import REPO_ROOT

COMPOSITOR = REPO_ROOT / "node_modules/@remotion/compositor-linux-x64-gnu"


def ffprobe(path: Path) -> dict:
    """Streams and format of a media file, frames counted, by the ffprobe Remotion ships."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}
    out = subprocess.run(
        [
            str(COMPOSITOR / "ffprobe"),
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out)


def mean_rgb_at(path: Path, seconds: float) -> tuple[float, float, float]:
    """The mean colour of the frame shown at `seconds`, decoded by Remotion's ffmpeg."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}
    png = subprocess.run(
        [
            str(COMPOSITOR / "ffmpeg"),
            "-v",
            "error",
            "-ss",
            str(seconds),
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        capture_output=True,
        check=True,
        env=env,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return tuple(ImageStat.Stat(image).mean)


_ENV = {**os.environ, "LD_LIBRARY_PATH": str(COMPOSITOR)}


def video_stream(path: Path) -> dict:
    [video] = [s for s in ffprobe(path)["streams"] if s["codec_type"] == "video"]
    return video


def frames(path: Path, width: int, height: int) -> Iterator[Image.Image]:
    """Every frame as RGB, in order."""
    process = subprocess.Popen(
        [
            str(COMPOSITOR / "ffmpeg"),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "image2pipe",
            "-c:v",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        stdout=subprocess.PIPE,
        env=_ENV,
    )
    size = width * height * 3
    try:
        while chunk := process.stdout.read(size):
            if len(chunk) < size:
                break
            yield Image.frombytes("RGB", (width, height), chunk)
    finally:
        process.stdout.close()
        process.wait()


def psnr(a: Path, b: Path) -> float:
    """PSNR over all frames of two videos of the same size and frame count, in dB (the mean
    squared error of every pixel of every frame; ffmpeg's `psnr` filter is not in Remotion's
    build). Identical videos give infinity."""
    info = video_stream(a)
    width, height = info["width"], info["height"]
    squared, count = 0.0, 0
    for left, right in zip(frames(a, width, height), frames(b, width, height), strict=True):
        squared += sum(ImageStat.Stat(ImageChops.difference(left, right)).sum2)
        count += width * height * 3
    mse = squared / count
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def audio_samples(path: Path) -> bytes:
    """The audio track decoded to 16-bit stereo PCM at 48 kHz."""
    with tempfile.TemporaryDirectory(prefix="framecast-audio-") as scratch:
        out = Path(scratch) / "audio.wav"
        subprocess.run(
            [
                str(COMPOSITOR / "ffmpeg"),
                "-v",
                "error",
                "-i",
                str(path),
                "-vn",
                "-c:a",
                "pcm_s16le",
                "-ac",
                "2",
                "-ar",
                "48000",
                str(out),
            ],
            capture_output=True,
            check=True,
            env=_ENV,
        )
        with wave.open(str(out), "rb") as audio:
            return audio.readframes(audio.getnframes())
