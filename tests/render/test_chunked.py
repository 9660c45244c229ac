"""Chunked renders against Remotion's own single pass (`remotion render`, same bundle and props)."""

import base64
import io
import math
import struct
import wave

import pytest

from cli.main import render_job
from functions.domain.export_plan import plan_export
from functions.limits import Limits
from functions.render_settings import OutputFormat, Quality
from render import RenderPool
from render.chunk_cache import ChunkCache
from tests.helpers.media import audio_samples, ffprobe, psnr, video_stream
from tests.helpers.projects import project, scene
from tools.naive import naive_render

pytestmark = pytest.mark.render

MOVING = """import {AbsoluteFill, interpolate, useCurrentFrame} from 'remotion';
export default function Moving() {
  const frame = useCurrentFrame();
  const x = interpolate(frame, [0, 40], [0, 1500]);
  return (
    <AbsoluteFill style={{background: 'linear-gradient(90deg, #0f172a, #7c3aed)'}}>
      <div style={{position: 'absolute', left: x, top: 300, width: 300, height: 300, borderRadius: 150,
        background: '#fde047'}} />
      <div style={{position: 'absolute', top: 700, left: 100, fontSize: 120, color: 'white'}}>frame {frame}</div>
    </AbsoluteFill>
  );
}"""


def tone_wav(seconds: float = 1.6, hz: float = 440, rate: int = 22050) -> str:
    """A sine tone as a data: URL (scenes may only reach their own props and public https)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
                for i in range(int(seconds * rate))
            )
        )
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode()


def with_tone() -> str:
    return f"""import {{AbsoluteFill, Audio}} from 'remotion';
const TONE = '{tone_wav()}';
export default () => <AbsoluteFill style={{{{backgroundColor: '#134e4a'}}}}><Audio src={{TONE}} /></AbsoluteFill>;"""


@pytest.fixture(scope="module")
def small_chunks(tmp_path_factory):
    """Chunks of at most 5 captures, so that scenes are cut inside as well as at their edges (a gif
    captures every 3rd frame at low quality: 15 frames; mp4 and webm chunks take 15 frames)."""
    pools: dict[OutputFormat, RenderPool] = {}

    def pool_for(fmt: OutputFormat) -> RenderPool:
        if fmt not in pools:
            pools[fmt] = RenderPool(
                cache=ChunkCache(tmp_path_factory.mktemp("cache")), chunk_frames=5 if fmt == OutputFormat.GIF else 15
            )
        return pools[fmt]

    yield pool_for
    for pool in pools.values():
        pool.close()


@pytest.mark.parametrize("fmt", [OutputFormat.MP4, OutputFormat.WEBM, OutputFormat.GIF])
def test_a_chunked_render_is_the_single_pass_video(small_chunks, tmp_path, fmt):
    proj = project(
        scene(MOVING, id="a", duration=40), scene(MOVING, id="b", duration=23), scene(MOVING, id="c", duration=31)
    )
    export = plan_export(proj, fmt, Quality.LOW, Limits())
    chunked = small_chunks(fmt).render(render_job(export, tmp_path / f"chunked.{fmt.value}"))
    single = tmp_path / f"single.{fmt.value}"
    naive_render(export.props.to_json_dict(), export.output, single)

    assert chunked.chunks_total >= 7 and chunked.chunks_cached == 0
    ours, theirs = video_stream(chunked.output_path), video_stream(single)
    for field in ("codec_name", "width", "height", "r_frame_rate", "nb_read_frames", "pix_fmt"):
        assert ours[field] == theirs[field], field
    assert int(ours["nb_read_frames"]) == -(-94 // export.output.every_nth_frame)
    assert [s["codec_type"] for s in ffprobe(chunked.output_path)["streams"]] == ["video"]  # no sound, no track
    assert psnr(chunked.output_path, single) >= 35


@pytest.mark.parametrize("fmt", [OutputFormat.MP4, OutputFormat.WEBM])
def test_audio_is_joined_seamlessly_across_chunks(small_chunks, tmp_path, fmt):
    # Silence, a tone cut across three chunks, silence: the joins must neither gap nor shift.
    proj = project(
        scene(MOVING, id="quiet", duration=20),
        scene(with_tone(), id="tone", duration=45),
        scene(MOVING, id="after", duration=16),
    )
    export = plan_export(proj, fmt, Quality.LOW, Limits())
    chunked = small_chunks(fmt).render(render_job(export, tmp_path / f"chunked.{fmt.value}"))
    single = tmp_path / f"single.{fmt.value}"
    naive_render(export.props.to_json_dict(), export.output, single)

    streams = {s["codec_type"]: s for s in ffprobe(chunked.output_path)["streams"]}
    reference = {s["codec_type"]: s for s in ffprobe(single)["streams"]}
    assert streams["audio"]["codec_name"] == reference["audio"]["codec_name"]
    assert streams["video"]["nb_read_frames"] == reference["video"]["nb_read_frames"] == "81"
    ours, theirs = _samples(chunked.output_path), _samples(single)
    assert abs(len(ours) - len(theirs)) <= 2048  # one codec frame of padding at most
    # The tone plays from frame 20 for 45 frames (48 kHz: 1,600 samples a frame), with no gap at
    # the chunk joins, and lines up with the single pass within a millisecond (the AAC encoder's
    # own delay differs by a few samples between the two ways of encoding).
    (start, end, gaps), (ref_start, ref_end, _) = _loud_span(ours), _loud_span(theirs)
    assert gaps == []
    assert abs(start - 20 * 1600) < 1600 + 1000 and abs((end - start) - (ref_end - ref_start)) <= 48
    lag = start - ref_start
    assert abs(lag) <= 48
    shifted = ours[lag:] if lag >= 0 else [0] * -lag + ours
    length = min(len(shifted), len(theirs))
    signal = sum(s * s for s in theirs[:length])
    noise = sum((a - b) ** 2 for a, b in zip(shifted[:length], theirs[:length], strict=True))
    assert 10 * math.log10(signal / max(noise, 1)) >= 20  # the same sound


def _loud_span(samples: list[int]) -> tuple[int, int, list[tuple[int, int]]]:
    loud = [i for i, sample in enumerate(samples) if abs(sample) > 2000]
    gaps = [(a, b) for a, b in zip(loud, loud[1:], strict=False) if b - a > 100]  # a 440 Hz period is 109
    return loud[0], loud[-1], gaps


def _samples(path) -> list[int]:
    pcm = audio_samples(path)
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm))[::2]  # left channel
