"""Scenes in, composition-ready modules out (design section 3), before any render money is spent."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from functions.errors import InvalidRender, LimitExceeded, SceneCompileError
from functions.limits import Limits
from functions.models.composition import CompiledScene, IconData
from functions.models.project import Project, SceneInput
from functions.preprocess import esbuild
from functions.preprocess.allowlist import ALLOWED_MODULES, EXTERNAL_PACKAGES
from functions.preprocess.icons import IconLibrary, default_library, split_name
from functions.preprocess.remote_sources import remote_source_warnings
from functions.preprocess.scene_source import scene_duration, with_default_export

# A string literal that has the shape of an Iconify name, and the same as the `icon` prop of an element.
_ICON_LITERAL = re.compile(r"""(["'`])([a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:[-_][a-z0-9]+)*)\1""")
_ICON_PROP = re.compile(r"""(?<=[{,])icon:(["'`])([a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:[-_][a-z0-9]+)*)\1""")
_UNRESOLVED = re.compile(r'^Could not resolve "(.+)"')


@dataclass
class CompiledProject:
    scenes: list[CompiledScene]
    total_frames: int
    warnings: list[str] = field(default_factory=list)


def _diagnostic(scene: SceneInput, line: int | None, column: int | None, message: str) -> dict[str, Any]:
    return {"sceneId": scene.id, "sceneName": scene.name, "line": line or 1, "column": column or 1, "message": message}


def _location_of(source: str, needle: str) -> tuple[int, int]:
    index = source.find(needle)
    if index < 0:
        return 1, 1
    before = source[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _allowed_list() -> str:
    return ", ".join(ALLOWED_MODULES)


def _explain(text: str) -> str:
    unresolved = _UNRESOLVED.match(text)
    if not unresolved:
        return text
    module = unresolved.group(1)
    if module.startswith("."):
        return f'import "{module}" cannot be resolved: a scene is a single file'
    return f'import "{module}" is not allowed in a scene; allowed modules: {_allowed_list()}'


def check_sizes(project: Project, limits: Limits) -> None:
    if not project.scenes:
        raise InvalidRender("the project has no scenes", [{"field": "scenes", "message": "add at least one scene"}])
    if len(project.scenes) > limits.max_scenes:
        raise LimitExceeded(
            f"the project has {len(project.scenes)} scenes; at most {limits.max_scenes} are allowed",
            [{"field": "scenes", "limit": limits.max_scenes, "actual": len(project.scenes)}],
        )
    for scene in project.scenes:
        size = len(scene.tsx_code.encode("utf-8"))
        if size > limits.max_scene_source_bytes:
            raise LimitExceeded(
                f'scene "{scene.id}" has {size} bytes of source; at most {limits.max_scene_source_bytes} are allowed',
                [{"sceneId": scene.id, "limit": limits.max_scene_source_bytes, "actual": size}],
            )


def _compile_modules(scenes: list[SceneInput]) -> tuple[dict[str, str], list[str]]:
    """One esbuild run for every scene; raises SceneCompileError with every diagnostic found."""
    diagnostics: list[dict[str, Any]] = []
    entries: dict[str, str] = {}
    for index, scene in enumerate(scenes):
        source = with_default_export(scene.tsx_code)
        if source is None:
            diagnostics.append(
                _diagnostic(
                    scene, 1, 1, "the scene has no component: `export default` one, or declare `const Component = ...`"
                )
            )
        else:
            entries[str(index)] = source
    if diagnostics:
        raise SceneCompileError(f"{len(diagnostics)} scene(s) do not compile", diagnostics)
    try:
        result = esbuild.build(entries, EXTERNAL_PACKAGES)
    except esbuild.EsbuildFailed as failed:
        for error in failed.errors:
            scene = scenes[int(error.file.removesuffix(".tsx"))] if error.file else scenes[0]
            diagnostics.append(_diagnostic(scene, error.line, error.column, _explain(error.text)))
        raise SceneCompileError(f"{len(diagnostics)} error(s) compiling the scenes", diagnostics) from None
    # esbuild keeps every subpath of an external package external: check the exact specifiers.
    for index, scene in enumerate(scenes):
        for module in result.imports[str(index)]:
            if module not in ALLOWED_MODULES:
                line, column = _location_of(scene.tsx_code, module)
                diagnostics.append(_diagnostic(scene, line, column, _explain(f'Could not resolve "{module}"')))
    if diagnostics:
        raise SceneCompileError(f"{len(diagnostics)} scene(s) import modules that are not allowed", diagnostics)
    warnings = [
        f'scene "{scenes[int(w.file.removesuffix(".tsx"))].id}" line {w.line}: {w.text}' if w.file else w.text
        for w in result.warnings
    ]
    return {scene.id: result.code[str(i)] for i, scene in enumerate(scenes)}, warnings


def _icon_json(data: IconData) -> str:
    return json.dumps(data.to_json_dict(), separators=(",", ":"))


def _with_icons(
    scene: SceneInput, code: str, candidates: set[str], resolved: dict[str, IconData], warnings: list[str]
) -> tuple[str, dict[str, IconData]]:
    """Inline every `icon="prefix:name"` prop as SVG data; names used elsewhere go to the scene's registry."""

    def inline(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"icon:{_icon_json(resolved[name])}" if name in resolved else match.group(0)

    code = _ICON_PROP.sub(inline, code)
    still_named = {m.group(2) for m in _ICON_LITERAL.finditer(code)}
    registry: dict[str, IconData] = {}
    for name in sorted(candidates):
        if name not in resolved:
            warnings.append(f'scene "{scene.id}": icon "{name}" was not found; a placeholder is drawn')
        elif name in still_named:
            registry[name] = resolved[name]
    return code, registry


def _icon_candidates(code: str, library: IconLibrary) -> set[str]:
    names = {m.group(2) for m in _ICON_PROP.finditer(code)}  # in an icon prop: surely meant as an icon
    for match in _ICON_LITERAL.finditer(code):
        parts = split_name(match.group(2))
        if parts and library.knows_prefix(parts[0]):
            names.add(match.group(2))
    return names


def compile_project(
    project: Project, limits: Limits | None = None, library: IconLibrary | None = None
) -> CompiledProject:
    limits = limits or Limits.from_env()
    library = library or default_library()
    check_sizes(project, limits)
    modules, warnings = _compile_modules(project.scenes)

    candidates = {scene.id: _icon_candidates(modules[scene.id], library) for scene in project.scenes}
    resolved = library.resolve(set().union(*candidates.values()))

    compiled: list[CompiledScene] = []
    for scene in project.scenes:
        warnings += remote_source_warnings(scene.id, scene.name, modules[scene.id])
        code, registry = _with_icons(scene, modules[scene.id], candidates[scene.id], resolved, warnings)
        size = len(code.encode("utf-8"))
        if size > limits.max_scene_compiled_bytes:
            raise LimitExceeded(
                f'scene "{scene.id}" compiles to {size} bytes; at most {limits.max_scene_compiled_bytes} are allowed',
                [{"sceneId": scene.id, "limit": limits.max_scene_compiled_bytes, "actual": size}],
            )
        compiled.append(
            CompiledScene(
                id=scene.id,
                name=scene.name,
                duration_in_frames=scene_duration(scene),
                js_code=code,
                icons=registry,
            )
        )
    return CompiledProject(scenes=compiled, total_frames=sum(s.duration_in_frames for s in compiled), warnings=warnings)
