"""Rule bundles: rules declared in place with a decorator, and the registry of all bundles.

::

    SYNTAX = RuleBundle("cpg_syntax", description="Nodes and edges read off the syntax tree.")

    @SYNTAX.rule
    def call_nodes() -> RuleDefinition:
        return RuleDefinition(name="call_nodes", ...)

The decorated function runs once at import; the bundle keeps the rule and the place it was
declared (``module.function``), so a name declared twice is an error naming both places.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator

import msgspec

from codeanatomy_core.relspec.errors import BundleError
from codeanatomy_core.relspec.model import RuleDefinition, RuleTemplate
from codeanatomy_core.specs.named import unique_by_name

RuleFactory = Callable[[], RuleDefinition]


class Declared(msgspec.Struct, frozen=True, kw_only=True):
    """A rule or template and where it was declared."""

    bundle: str
    place: str


def _place(fn: Callable[..., object]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _caller_module(depth: int = 2) -> str:
    return str(sys._getframe(depth).f_globals.get("__name__", "?"))


class RuleBundle:
    """A named group of rules (and rule templates) declared in one module."""

    __slots__ = ("_places", "_rules", "_templates", "description", "name", "place")

    def __init__(self, name: str, *, description: str = "", place: str | None = None) -> None:
        if not name.isidentifier():
            raise BundleError(f"bundle name {name!r} is not an identifier")
        self.name = name
        self.description = description
        self.place = place or _caller_module()
        self._rules: dict[str, RuleDefinition] = {}
        self._templates: dict[str, RuleTemplate] = {}
        self._places: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"RuleBundle({self.name!r}, rules={len(self._rules)})"

    def _claim(self, key: str, what: str, place: str) -> None:
        if key in self._places:
            raise BundleError(
                f"{what} is declared twice in bundle {self.name!r}: at {self._places[key]} and at {place}"
            )
        self._places[key] = place

    def rule(self, factory: RuleFactory) -> RuleFactory:
        """Decorator: run ``factory`` once and add its rule to the bundle."""
        self.add(factory(), place=_place(factory))
        return factory

    def add(self, rule: RuleDefinition, *, place: str | None = None) -> RuleDefinition:
        if not isinstance(rule, RuleDefinition):
            raise BundleError(f"bundle {self.name!r}: {place or '?'} did not return a RuleDefinition")
        self._claim(f"rule:{rule.name}", f"rule {rule.name!r}", place or _caller_module())
        self._rules[rule.name] = rule
        return rule

    def template(self, template: RuleTemplate, *, place: str | None = None) -> RuleTemplate:
        self._claim(
            f"template:{template.name}", f"rule template {template.name!r}", place or _caller_module()
        )
        self._templates[template.name] = template
        return template

    def rules(self) -> tuple[RuleDefinition, ...]:
        return tuple(self._rules[n] for n in sorted(self._rules))

    def templates(self) -> tuple[RuleTemplate, ...]:
        return tuple(self._templates[n] for n in sorted(self._templates))

    def place_of(self, name: str, *, template: bool = False) -> str:
        return self._places[f"{'template' if template else 'rule'}:{name}"]


class RuleRegistry:
    """Every rule and template of a set of bundles, sorted by name; duplicates are errors."""

    __slots__ = ("_bundles", "_rules", "_templates", "declared", "template_declared")

    def __init__(self, bundles: Iterable[RuleBundle]) -> None:
        self._bundles = unique_by_name(
            bundles, what="bundle", where=lambda b: f"in {b.place}", error=BundleError
        )
        rules: dict[str, RuleDefinition] = {}
        templates: dict[str, RuleTemplate] = {}
        self.declared: dict[str, Declared] = {}
        self.template_declared: dict[str, Declared] = {}
        for bundle in self._bundles.values():
            for rule in bundle.rules():
                here = Declared(bundle=bundle.name, place=bundle.place_of(rule.name))
                self._unique("rule", rule.name, self.declared, here)
                rules[rule.name] = rule
            for template in bundle.templates():
                here = Declared(bundle=bundle.name, place=bundle.place_of(template.name, template=True))
                self._unique("rule template", template.name, self.template_declared, here)
                templates[template.name] = template
        self._rules = dict(sorted(rules.items()))
        self._templates = dict(sorted(templates.items()))
        self.declared = dict(sorted(self.declared.items()))
        self.template_declared = dict(sorted(self.template_declared.items()))

    @staticmethod
    def _unique(what: str, name: str, seen: dict[str, Declared], here: Declared) -> None:
        if name in seen:
            first = seen[name]
            raise BundleError(
                f"{what} {name!r} is declared twice: in bundle {first.bundle!r} at {first.place} "
                f"and in bundle {here.bundle!r} at {here.place}"
            )
        seen[name] = here

    def __iter__(self) -> Iterator[RuleDefinition]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def bundles(self) -> tuple[RuleBundle, ...]:
        return tuple(self._bundles.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._rules)

    def get(self, name: str) -> RuleDefinition:
        try:
            return self._rules[name]
        except KeyError:
            raise BundleError(f"no rule named {name!r}") from None

    def templates(self) -> tuple[RuleTemplate, ...]:
        return tuple(self._templates.values())

    def template(self, name: str) -> RuleTemplate:
        try:
            return self._templates[name]
        except KeyError:
            raise BundleError(f"no rule template named {name!r}; known: {sorted(self._templates)}") from None

    def bundle_of(self, rule: str) -> str:
        return self.declared[rule].bundle

    def replace(self, rule: RuleDefinition) -> RuleRegistry:
        """A registry where ``rule`` replaces the rule of the same name (same bundle and place)."""
        owner = self.bundle_of(rule.name)
        return RuleRegistry(
            _copy(b, lambda r: rule if r.name == rule.name else r) if b.name == owner else b
            for b in self._bundles.values()
        )

    def with_rules(self, rules: Iterable[RuleDefinition], *, bundle: str, place: str) -> RuleRegistry:
        """A registry with an extra bundle of ``rules`` (e.g. rules synthesized from contracts)."""
        extra = RuleBundle(bundle, place=place)
        for rule in rules:
            extra.add(rule, place=place)
        return RuleRegistry([*self._bundles.values(), extra])

    def without(self, names: Iterable[str]) -> RuleRegistry:
        """A registry without the rules ``names`` (what-if checks: coverage of a smaller set)."""
        drop = set(names)
        missing = sorted(drop - set(self._rules))
        if missing:
            raise BundleError(f"cannot drop unknown rules {missing}")
        return RuleRegistry(_copy(b, lambda r: None if r.name in drop else r) for b in self._bundles.values())


def _copy(bundle: RuleBundle, change: Callable[[RuleDefinition], RuleDefinition | None]) -> RuleBundle:
    """A copy of ``bundle`` with every rule passed through ``change`` (None drops it)."""
    copy = RuleBundle(bundle.name, description=bundle.description, place=bundle.place)
    for rule in bundle.rules():
        changed = change(rule)
        if changed is not None:
            copy.add(changed, place=bundle.place_of(rule.name))
    for template in bundle.templates():
        copy.template(template, place=bundle.place_of(template.name, template=True))
    return copy
