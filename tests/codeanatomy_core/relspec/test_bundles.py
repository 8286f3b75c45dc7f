"""Bundles and discovery: decorators, name order, duplicates named with both places, entry points."""

from __future__ import annotations

import types
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from codeanatomy_core.relspec import discovery
from codeanatomy_core.relspec.bundles import RuleBundle, RuleRegistry
from codeanatomy_core.relspec.discovery import ENTRY_POINT_GROUP, discover
from codeanatomy_core.relspec.errors import BundleError
from codeanatomy_core.relspec.model import RuleDefinition


def test_decorated_rules_are_collected_with_their_place(tiny: Any) -> None:
    bundle = RuleBundle("zeta", description="test rules")

    @bundle.rule
    def second() -> RuleDefinition:
        return tiny.rule(name="second")

    @bundle.rule
    def first() -> RuleDefinition:
        return tiny.rule(name="first")

    assert [r.name for r in bundle.rules()] == ["first", "second"]
    assert bundle.place_of("first").endswith(
        "test_decorated_rules_are_collected_with_their_place.<locals>.first"
    )
    assert bundle.place == __name__


def test_a_rule_declared_twice_names_both_places(tiny: Any) -> None:
    one, two = RuleBundle("one", place="pkg.one"), RuleBundle("two", place="pkg.two")
    one.add(tiny.rule(), place="pkg.one.rule")
    two.add(tiny.rule(), place="pkg.two.rule")
    with pytest.raises(
        BundleError,
        match=r"rule 'best_pairs' is declared twice: in bundle 'one' at pkg.one.rule "
        r"and in bundle 'two' at pkg.two.rule",
    ):
        RuleRegistry([two, one])
    with pytest.raises(
        BundleError, match=r"declared twice in bundle 'one': at pkg.one.rule and at elsewhere"
    ):
        one.add(tiny.rule(), place="elsewhere")


def test_a_bundle_declared_twice_names_both_places() -> None:
    with pytest.raises(BundleError, match=r"bundle 'same' is declared twice: in pkg.a and in pkg.b"):
        RuleRegistry([RuleBundle("same", place="pkg.a"), RuleBundle("same", place="pkg.b")])


def test_registry_order_is_by_name_whatever_the_bundle_order(tiny: Any) -> None:
    a, b = RuleBundle("b_bundle", place="x"), RuleBundle("a_bundle", place="y")
    a.add(tiny.rule(name="alpha"), place="x.alpha")
    b.add(tiny.rule(name="beta"), place="y.beta")
    for order in ([a, b], [b, a]):
        registry = RuleRegistry(order)
        assert registry.names() == ("alpha", "beta")
        assert [x.name for x in registry.bundles()] == ["a_bundle", "b_bundle"]
    assert RuleRegistry([a, b]).without(["alpha"]).names() == ("beta",)
    replaced = RuleRegistry([a, b]).replace(tiny.rule(name="alpha", priority=7))
    assert replaced.get("alpha").priority == 7
    assert replaced.bundle_of("alpha") == "b_bundle"


def test_builtin_discovery_is_sorted_and_complete() -> None:
    registry, sources = discover(extensions=False)
    assert list(registry.names()) == sorted(registry.names())
    assert [s.bundle for s in sources] == sorted(s.bundle for s in sources)
    assert {s.origin for s in sources} == {"builtin"}
    assert {"cpg_source", "cpg_syntax", "cpg_templates"} <= {b.name for b in registry.bundles()}


def _entry_points(module: types.ModuleType, monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setitem(__import__("sys").modules, module.__name__, module)
    points = [
        EntryPoint(name=n, value=f"{module.__name__}:{n.upper()}", group=ENTRY_POINT_GROUP) for n in names
    ]
    monkeypatch.setattr(discovery, "entry_points", lambda group: points if group == ENTRY_POINT_GROUP else [])


def test_extension_bundles_load_from_the_entry_point_group(
    tiny: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("fake_relspec_extension")
    bundle = RuleBundle("extra_rules", place=module.__name__)
    bundle.add(tiny.rule(name="extension_rule"), place="fake_relspec_extension.rule")
    module.EXTRA = bundle  # type: ignore[attr-defined]
    _entry_points(module, monkeypatch, "extra")
    registry, sources = discover()
    assert "extension_rule" in registry
    assert registry.bundle_of("extension_rule") == "extra_rules"
    assert [s.origin for s in sources if s.bundle == "extra_rules"] == ["entry_point:extra"]


def test_an_extension_reusing_a_builtin_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("clashing_relspec_extension")
    module.CLASH = RuleBundle("cpg_syntax", place="clashing_relspec_extension")  # type: ignore[attr-defined]
    _entry_points(module, monkeypatch, "clash")
    with pytest.raises(
        BundleError,
        match=r"bundle 'cpg_syntax' is declared twice: in "
        r"codeanatomy_core.cpg.rules.syntax and in clashing_relspec_extension",
    ):
        discover()


def test_a_broken_entry_point_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [EntryPoint(name="broken", value="no_such_module_anywhere:X", group=ENTRY_POINT_GROUP)]
    monkeypatch.setattr(discovery, "entry_points", lambda group: points)
    with pytest.raises(
        BundleError, match=r"entry point 'broken' \(no_such_module_anywhere:X\) .* cannot be loaded"
    ):
        discover()
