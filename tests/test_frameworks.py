"""The framework file is data: it must load, and a broken one must say where and why."""

from pathlib import Path

import pytest
import yaml

from assessment.frameworks import (
    FRAMEWORK_DIR,
    FrameworkError,
    default_framework,
    load_framework,
    parse_framework,
)

DEFAULT_FILE = FRAMEWORK_DIR / "imroc-ten-challenges.yaml"


def _default_data() -> dict:
    return yaml.safe_load(DEFAULT_FILE.read_text())


def test_default_framework_has_ten_challenges_on_a_four_level_scale():
    framework = default_framework()
    assert len(framework.challenges) == 10
    assert [c.number for c in framework.challenges] == list(range(1, 11))
    assert framework.level_values == (1, 2, 3, 4)
    assert all(set(c.descriptors) == {1, 2, 3, 4} for c in framework.challenges)


def test_not_rated_is_not_a_level():
    framework = default_framework()
    assert 0 not in framework.level_values
    assert framework.level_label(None) == "Not rated"


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [
        (lambda d: d["framework"].pop("challenges"), "framework", "'challenges' is missing"),
        (lambda d: d["framework"]["challenges"][2]["descriptors"].pop(3),
         "challenges[2] (recovery_college).descriptors", "no descriptor for level 3"),
        (lambda d: d["framework"]["challenges"][1].update(id="interactions"),
         "framework.challenges", "duplicate ids: interactions"),
        (lambda d: d["framework"]["scale"]["levels"][0].update(value=0),
         "levels[0].value", "levels start at 1"),
        (lambda d: d["framework"]["challenges"][0].update(number="one"),
         "challenges[0] (interactions).number", "expected int"),
        (lambda d: d["framework"]["challenges"][9].update(number=12),
         "framework.challenges", "without gaps"),
        (lambda d: d["framework"]["challenges"][0]["descriptors"].update({5: "Too far"}),
         "descriptors", "not on the scale"),
    ],
)
def test_a_broken_framework_names_the_place_and_the_problem(mutate, where, problem):
    data = _default_data()
    mutate(data)
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data, "broken.yaml")
    message = str(caught.value)
    assert message.startswith("broken.yaml: ")
    assert where in message
    assert problem in message


def test_invalid_yaml_reports_the_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("framework:\n  id: x\n  name: [unclosed\n")
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert str(path) in str(caught.value)
    assert "line " in str(caught.value)


def test_check_framework_command_accepts_the_default_and_rejects_a_broken_file(runner, tmp_path):
    ok = runner.invoke(args=["check-framework", str(DEFAULT_FILE)])
    assert ok.exit_code == 0, ok.output
    assert "10 challenges" in ok.output

    broken = tmp_path / "broken.yaml"
    data = _default_data()
    del data["framework"]["challenges"][4]["title"]
    broken.write_text(yaml.safe_dump(data))
    bad = runner.invoke(args=["check-framework", str(broken)])
    assert bad.exit_code != 0
    assert "challenges[4] (personalisation)" in bad.output
    assert "'title' is missing" in bad.output

    missing = runner.invoke(args=["check-framework", str(tmp_path / "nope.yaml")])
    assert missing.exit_code != 0
    assert "cannot be read" in missing.output
