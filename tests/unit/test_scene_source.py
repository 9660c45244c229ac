import pytest

from functions.preprocess.scene_source import (
    component_name_without_export,
    scene_duration,
    with_default_export,
)
from tests.helpers.projects import scene


@pytest.mark.parametrize(
    ("source", "field", "expected"),
    [
        ("export const durationInFrames = 90;\nexport default () => null", 45, 45),  # the field wins
        ("export const durationInFrames = 90;\nexport default () => null", None, 90),
        ("export const durationInFrames_intro = 75\nexport default () => null", None, 75),
        ("export const durationInFrames: number = 60;", None, 60),
        ("  export const durationInFrames_x2=33;", None, 33),
        ("const durationInFrames = 90; // not exported", None, 150),
        ("export const durationInFrames = 2 * 30;", None, 150),  # only literals are read
        ("export default () => null", None, 150),
    ],
)
def test_duration(source, field, expected):
    assert scene_duration(scene(source, duration=field)) == expected


def test_default_export_is_kept():
    for source in (
        "export default function Intro() { return null }",
        "const A = () => null;\nexport default A;",
        "const A = () => null;\nexport { A as default };",
    ):
        assert with_default_export(source) == source


def test_component_without_export_gets_one_at_the_end_so_lines_stay_true():
    source = "const Title = () => null;\nconst Component = () => <Title/>;\nconst Footer = () => null;"
    result = with_default_export(source)
    assert result.startswith(source)
    assert result.endswith("export default Component;\n")


def test_without_component_named_component_the_last_top_level_one_is_taken():
    assert (
        component_name_without_export("function Helper() {}\nconst Scene = () => null;\n  const Inner = 1;") == "Scene"
    )


def test_nothing_to_export():
    assert with_default_export("const x = 1;\nconsole.log(x);") is None
