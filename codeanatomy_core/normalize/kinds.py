"""Vocabularies of the normalize tables (stored as strings, declared once here)."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from codeanatomy_core.extract.pyfacts_model import BindKind, CallKind, DefKind, RefContext, ScopeKind


class ResolutionMethod(StrEnum):
    """How a reference or call was resolved to its candidate target."""

    LOCAL = "local"  # a binding in the same scope
    ENCLOSING = "enclosing"  # a binding of an enclosing function (closure)
    GLOBAL = "global"  # a module-level binding
    CLASS_BODY = "class_body"  # a binding of the class body being executed
    BUILTIN = "builtin"
    IMPORT = "import"  # through an import (aliases, re-exports, star imports)
    ATTRIBUTE_OF_CLASS = "attribute_of_class"  # obj.m, m defined by obj's class
    SELF_METHOD = "self_method"  # self.m / cls.m inside the class defining m
    MRO = "mro"  # inherited: found further along the method resolution order
    SUPER = "super"  # super().m
    INSTANTIATION = "instantiation"  # Cls(...) -> __init__ / __new__
    DECORATOR = "decorator"  # a decorator applied to a definition
    IMPLICIT = "implicit"  # with / for / operators / subscripts / raise -> dunder methods
    CALLBACK = "callback"  # a function passed to a builtin that calls it (map, sorted(key=))
    FLOW = "flow"  # a value that reached the callee through assignments, arguments, returns
    EXTERNAL = "external"  # a symbol outside the repository, named by its import path


class Via(IntEnum):
    """How the flow solver reached a call target (refined into ResolutionMethod)."""

    VALUE = 0
    OWN_METHOD = 1
    INHERITED = 2
    SUPER = 3
    INIT = 4
    IMPLICIT = 5
    CALLBACK = 6
    BUILTIN = 7
    EXTERNAL = 8
    TYPE_METHOD = 9
    DECORATOR = 10


class StateKind(StrEnum):
    """What a row of ``flow_states`` keeps of a solved component (see ``flow_states``)."""

    NAMESPACE = "namespace"  # variable: [module, name] ("\0name": bound from outside)
    FIELD = "field"  # variable: [object, field key]
    RETURN = "return"  # variable: [file id, definition index]
    YIELD = "yield"
    SUMMARY = "summary"  # variable: [file id, parameter variable]; values: call sites (see flow_summaries)
    FEEDS = "feeds"  # variable: []; values: call edges it made at other components' call sites
    SITES = "sites"  # variable: []; values: its own call edges at its call sites a summary names


class DiagnosticKind(StrEnum):
    FIXPOINT_BOUND = "fixpoint_bound"  # the propagation step bound stopped the fixpoint
    WIDENED = "widened"  # variables whose data values were summarized by type
    SATURATED = "saturated"  # variables that reached the value bound and took no more
    FACTS_VERSION = "facts_version"
    FACTS_UNDECODABLE = "facts_undecodable"


# Stored names of the facts' int enums (facts decode them as plain ints or enums alike).
SCOPE_KINDS: dict[int, str] = {int(kind): kind.name.lower() for kind in ScopeKind}
DEF_KINDS: dict[int, str] = {int(kind): kind.name.lower() for kind in DefKind}
REF_CONTEXTS: dict[int, str] = {int(ctx): ctx.name.lower() for ctx in RefContext}
BIND_KINDS: dict[int, str] = {int(kind): kind.name.lower() for kind in BindKind}
CALL_KINDS: dict[int, str] = {int(kind): kind.name.lower() for kind in CallKind}
