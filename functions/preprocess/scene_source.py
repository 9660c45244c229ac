"""What the preprocessor reads off a scene's TSX source before compiling it."""

import re

from functions.models.project import SceneInput

DEFAULT_DURATION_IN_FRAMES = 150

_DURATION_EXPORT = re.compile(
    r"^[ \t]*export\s+const\s+durationInFrames(?:_\w+)?\s*(?::\s*number\s*)?=\s*(\d+)\s*;?[ \t]*(?://.*)?$", re.M
)
_DEFAULT_EXPORT = re.compile(r"^[ \t]*export\s+default\b|\bexport\s*\{[^}]*\bas\s+default\b", re.M)
# Unindented declarations are top level; components are PascalCase by React's convention.
_TOP_LEVEL_COMPONENT = re.compile(r"^(?:const|let|var|function|class)\s+([A-Z][A-Za-z0-9_$]*)", re.M)


def scene_duration(scene: SceneInput) -> int:
    """The scene's field, else a literal `export const durationInFrames[_xyz] = N`, else 150."""
    if scene.duration_in_frames is not None:
        return scene.duration_in_frames
    match = _DURATION_EXPORT.search(scene.tsx_code)
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    return DEFAULT_DURATION_IN_FRAMES


def component_name_without_export(source: str) -> str | None:
    """For a scene with no default export: the component it declares (`Component`, else the last one)."""
    names = _TOP_LEVEL_COMPONENT.findall(source)
    if "Component" in names:
        return "Component"
    return names[-1] if names else None


def with_default_export(source: str) -> str | None:
    """The source with a default export, added at the end so line and column numbers stay true.

    None when the scene neither exports nor declares a component.
    """
    if _DEFAULT_EXPORT.search(source):
        return source
    name = component_name_without_export(source)
    if name is None:
        return None
    return f"{source}\n;export default {name};\n"
