"""Where a render's time went, scene by scene, and the reason a render past its time budget fails
with. Pure: the pool tells the time.

Chunks follow scene boundaries (chunks.py), so a chunk's time on its process is its scene's; a
chunk that spans two scenes (a gif's aligned boundary) shares its time between them by frames.
The slowest scene is the one with the most seconds a frame: a scene whose frame never comes counts
its seconds as one frame.
"""

from dataclasses import dataclass

from render.chunks import Chunk


@dataclass
class SceneTime:
    label: str  # scene "<id>" (<name>), as every error of the pool names a scene
    seconds: float = 0.0
    frames: float = 0.0  # composition frames rendered

    @property
    def seconds_a_frame(self) -> float:
        return self.seconds / max(self.frames, 1.0)


class SceneClock:
    def __init__(self) -> None:
        self._scenes: dict[int, SceneTime] = {}

    def add(self, chunk: Chunk, seconds: float, frames: int) -> None:
        """`seconds` a process spent on the chunk (finished or not), in which it rendered `frames`."""
        length = chunk.end - chunk.start
        for part in chunk.parts:
            share = (part.end - part.start) / length
            label = f'scene "{part.scene_id}" ({part.scene_name})'
            scene = self._scenes.setdefault(part.scene_index, SceneTime(label))
            scene.seconds += seconds * share
            scene.frames += frames * share

    def with_running(self, running: list[tuple[Chunk, float, int]]) -> "SceneClock":
        """A copy that also counts the chunks still on a process: (chunk, seconds so far, frames so far)."""
        copy = SceneClock()
        copy._scenes = {index: SceneTime(s.label, s.seconds, s.frames) for index, s in self._scenes.items()}
        for chunk, seconds, frames in running:
            copy.add(chunk, seconds, frames)
        return copy

    def slowest(self) -> SceneTime | None:
        return max(self._scenes.values(), key=lambda scene: scene.seconds_a_frame, default=None)


def over_budget_reason(budget_seconds: float, clock: SceneClock) -> str:
    """What a render past its budget fails with: the budget, and the scene that spent it."""
    reason = f"the render ran past its time budget of {budget_seconds:.0f} s"
    slowest = clock.slowest()
    if slowest is not None:
        reason += (
            f"; the slowest scene was {slowest.label}: {slowest.seconds:.0f} s for {slowest.frames:.0f} frames "
            f"({slowest.seconds_a_frame:.1f} s a frame)"
        )
    return reason + "; the render was stopped"
