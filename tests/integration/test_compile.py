"""Scene compilation against the real, pinned esbuild binary."""

import json

import pytest

from functions import REPO_ROOT
from functions.errors import LimitExceeded, SceneCompileError
from functions.limits import Limits
from functions.preprocess import esbuild
from functions.preprocess.allowlist import ALLOWED_MODULES
from functions.preprocess.compile import compile_project
from tests.helpers.projects import load_example, project, scene

IMPORTS_FORM = """import React, {useState} from 'react';
import {AbsoluteFill, useCurrentFrame} from 'remotion';
export default function Title() {
  const frame = useCurrentFrame();
  const [label] = useState('hello');
  return <AbsoluteFill>{label} {frame}</AbsoluteFill>;
}
"""
GLOBALS_FORM = """const {AbsoluteFill, useCurrentFrame} = window.Remotion;
const React = window.React;
const Title = () => <AbsoluteFill>{useCurrentFrame()}</AbsoluteFill>;
export default Title;
"""
NO_EXPORT_FORM = """const {AbsoluteFill} = window.Remotion;
const Badge = () => <div>badge</div>;
const Component = () => <AbsoluteFill><Badge/></AbsoluteFill>;
"""


@pytest.mark.parametrize(
    "source", [IMPORTS_FORM, GLOBALS_FORM, NO_EXPORT_FORM], ids=["imports", "globals", "no-export"]
)
def test_every_scene_form_compiles_to_a_commonjs_module_with_a_default_export(source):
    compiled = compile_project(project(scene(source))).scenes[0]
    assert "module.exports=" in compiled.js_code
    assert "default:()=>" in compiled.js_code  # esbuild's CommonJS export of the default
    assert "\n" not in compiled.js_code.strip()  # minified


def test_imports_become_require_calls_of_allowlisted_modules():
    code = compile_project(project(scene(IMPORTS_FORM))).scenes[0].js_code
    assert 'require("react")' in code and 'require("remotion")' in code
    assert 'require("react/jsx-runtime")' in code  # the automatic JSX runtime, answered by the composition


def test_all_scenes_compile_in_one_esbuild_process(monkeypatch):
    calls = []
    real_build = esbuild.build
    monkeypatch.setattr(
        esbuild, "build", lambda entries, externals: calls.append(len(entries)) or real_build(entries, externals)
    )
    result = compile_project(project(*(scene(IMPORTS_FORM, id=f"s{i}") for i in range(5))))
    assert calls == [5]
    assert [s.id for s in result.scenes] == ["s0", "s1", "s2", "s3", "s4"]


def test_syntax_error_names_scene_line_and_column():
    bad = "import {AbsoluteFill} from 'remotion';\n\nexport default () => <AbsoluteFill>{1 +}</AbsoluteFill>;\n"
    with pytest.raises(SceneCompileError) as error:
        compile_project(project(scene(IMPORTS_FORM, id="ok"), scene(bad, id="broken")))
    assert error.value.status == 422
    [detail] = error.value.details
    assert (detail["sceneId"], detail["line"], detail["column"]) == ("broken", 3, 40)
    assert 'Unexpected "}"' in detail["message"]


def test_disallowed_import_is_a_compile_error_not_a_render_crash():
    source = "import _ from 'lodash';\nimport {AbsoluteFill} from 'remotion';\nexport default () => <AbsoluteFill>{_.x}</AbsoluteFill>;"
    with pytest.raises(SceneCompileError) as error:
        compile_project(project(scene(source)))
    [detail] = error.value.details
    assert (detail["line"], detail["column"]) == (1, 15)
    assert detail["message"].startswith('import "lodash" is not allowed in a scene; allowed modules: remotion, react')


def test_subpath_of_an_allowed_package_must_itself_be_allowed():
    source = "import {x} from 'remotion/no-react';\nexport default () => x;"
    with pytest.raises(SceneCompileError) as error:
        compile_project(project(scene(source)))
    assert error.value.details[0]["message"].startswith('import "remotion/no-react" is not allowed')
    assert (error.value.details[0]["line"], error.value.details[0]["column"]) == (1, 18)


def test_relative_imports_are_explained():
    with pytest.raises(SceneCompileError) as error:
        compile_project(project(scene("import {a} from './helpers';\nexport default () => a;")))
    assert "a scene is a single file" in error.value.details[0]["message"]


def test_a_scene_with_no_component_is_a_compile_error():
    with pytest.raises(SceneCompileError) as error:
        compile_project(project(scene("const x = 1;")))
    assert "has no component" in error.value.details[0]["message"]


def test_every_allowlisted_module_compiles():
    imports = "\n".join(f"import * as m{i} from '{m}';" for i, m in enumerate(ALLOWED_MODULES))
    uses = ", ".join(f"m{i}" for i in range(len(ALLOWED_MODULES)))
    source = f"{imports}\nconsole.log({uses});\nexport default () => null;"
    code = compile_project(project(scene(source))).scenes[0].js_code
    for module in ALLOWED_MODULES:
        assert f'require("{module}")' in code


def _svg_of(name: str) -> str:
    prefix, icon = name.split(":")
    data = json.loads((REPO_ROOT / f"node_modules/@iconify-json/{prefix}/icons.json").read_text())
    return data["icons"][icon]["body"]


def test_static_icon_props_are_inlined_as_svg():
    source = """import {Icon} from '@iconify/react';
export default () => <div><Icon icon="mdi:home" width={40}/><IconifyIcon icon='lucide:camera'/></div>;"""
    compiled = compile_project(project(scene(source))).scenes[0]
    assert '"mdi:home"' not in compiled.js_code and '"lucide:camera"' not in compiled.js_code
    assert json.dumps(_svg_of("mdi:home")) in compiled.js_code
    assert compiled.icons == {}  # nothing left to look up at run time


def test_icon_names_in_objects_are_inlined_where_they_stand():
    source = """const items = [{icon: 'mdi:star', label: 'a'}, {icon: 'ph:house', label: 'b'}];
export default () => <div>{items.map((item) => <IconifyIcon key={item.label} icon={item.icon}/>)}</div>;"""
    compiled = compile_project(project(scene(source))).scenes[0]
    assert json.dumps(_svg_of("mdi:star")) in compiled.js_code
    assert json.dumps(_svg_of("ph:house")) in compiled.js_code


def test_icon_names_in_variables_and_arrays_go_to_the_scene_registry():
    source = """const names = ['mdi:rocket-launch', 'tabler:bolt'];
const chosen = `mdi:heart`;
export default () => <div><IconifyIcon icon={names[1]}/><IconifyIcon icon={chosen}/></div>;"""
    compiled = compile_project(project(scene(source))).scenes[0]
    assert set(compiled.icons) == {"mdi:rocket-launch", "tabler:bolt", "mdi:heart"}
    assert compiled.icons["tabler:bolt"].body == _svg_of("tabler:bolt")


def test_an_icon_used_both_ways_is_inlined_and_registered():
    source = """const again = 'mdi:home';
export default () => <div><IconifyIcon icon="mdi:home"/><IconifyIcon icon={again}/></div>;"""
    compiled = compile_project(project(scene(source))).scenes[0]
    assert json.dumps(_svg_of("mdi:home")) in compiled.js_code
    assert set(compiled.icons) == {"mdi:home"}


def test_unknown_icons_warn_and_do_not_fail():
    source = """export default () => <div><IconifyIcon icon="mdi:does-not-exist"/><IconifyIcon icon="game-icons:sword"/>
{'note:not-an-icon-set'}</div>;"""
    result = compile_project(project(scene(source, id="icons")))
    assert result.warnings == [
        'scene "icons": icon "game-icons:sword" was not found; a placeholder is drawn',
        'scene "icons": icon "mdi:does-not-exist" was not found; a placeholder is drawn',
    ]
    assert '"mdi:does-not-exist"' in result.scenes[0].js_code  # left for the placeholder


def test_compiled_size_is_limited():
    big_string = "x" * 200_000
    source = f"const a = '{big_string}';\nexport default () => <div>{{a}}</div>;"
    compile_project(project(scene(source)))
    with pytest.raises(LimitExceeded, match='scene "s1" compiles to'):
        compile_project(project(scene(source)), Limits(max_scene_compiled_bytes=100_000))


def test_examples_compile_with_their_durations():
    durations = {
        name: [s.duration_in_frames for s in compile_project(load_example(name)).scenes]
        for name in ("landscape", "portrait", "square")
    }
    assert durations == {"landscape": [90, 100, 120], "portrait": [150, 60], "square": [60]}


def test_esbuild_is_the_pinned_version():
    package = json.loads((REPO_ROOT / "package.json").read_text())
    assert package["dependencies"]["esbuild"] == esbuild.ESBUILD_VERSION
    assert esbuild.esbuild_binary().endswith("/bin/esbuild")
