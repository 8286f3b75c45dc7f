"""What an external symbol's dotted path says about it (PEP 8 names)."""

from __future__ import annotations

import pytest

from codeanatomy_core.normalize.external_names import has_known_attributes, names_a_class


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("ext.Client", True),
        ("ext._Private", True),
        ("json.loads", False),
        ("os.path", False),
        ("x.HTTP", True),
    ],
)
def test_names_a_class(path: str, expected: bool):
    assert names_a_class(path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("os", True),  # a module
        ("os.path", True),  # a module attribute
        ("ext.Client", True),  # a class: its methods
        ("ext.Outer.Inner", True),  # a nested class
        ("xml.etree.ElementTree.Element", True),
        ("ext.Client.channel", False),  # a member of a class: its attributes are unknown
        ("invoke.Runner.channel.recv", False),
    ],
)
def test_has_known_attributes(path: str, expected: bool):
    assert has_known_attributes(path) is expected
