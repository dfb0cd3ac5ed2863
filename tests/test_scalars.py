"""Plain scalars typed as Kubernetes' decoder (go-yaml v2) types them."""

from __future__ import annotations

import math

import pytest

from svclint.load.scalars import resolve_plain, resolve_tagged


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True), ("Yes", True), ("YES", True), ("y", True), ("Y", True), ("on", True),
        ("ON", True), ("true", True), ("no", False), ("n", False), ("off", False),
        ("False", False), ("~", None), ("null", None), ("Null", None), ("", None),
        ("80", 80), ("-80", -80), ("+80", 80), ("0755", 0o755), ("0x1F", 31), ("0o17", 15),
        ("1_000", 1000), ("0b101", 5), ("1.10", 1.1), ("1e3", 1000.0), ("-.5", -0.5),
        ("08", 8.0),  # invalid octal: ParseFloat reads it
        ("1:20", "1:20"), ("1.2.3", "1.2.3"), ("web", "web"), ("yess", "yess"),
        ("0x", "0x"), ("1e", "1e"), ("-", "-"), (".", "."), ("nginx:1.27", "nginx:1.27"),
        ("99999999999999999999999", 1e23),  # past uint64: Go's ParseFloat takes it
    ],
)  # fmt: skip
def test_resolve_plain(text: str, value: object) -> None:
    got = resolve_plain(text)
    assert got == value and type(got) is type(value)


def test_special_floats() -> None:
    assert resolve_plain(".inf") == math.inf
    assert math.isnan(resolve_plain(".NaN"))  # type: ignore[arg-type]


def test_tags_never_construct_objects() -> None:
    assert (
        resolve_tagged("os.system", "tag:yaml.org,2002:python/object/apply:os.system")
        == "os.system"
    )
    assert resolve_tagged("80", "tag:yaml.org,2002:str") == "80"
    assert resolve_tagged("80", "tag:yaml.org,2002:int") == 80
    assert resolve_tagged("abc", "!custom") == "abc"
