"""What the name of a symbol outside the repository says about it.

Nothing outside the repository is read, so an external symbol is known by its dotted path
only. PEP 8 names classes in ``CapWords`` and modules, functions and attributes in lower
case; the flow uses that to decide what calling an external gives, and which attribute
paths still name something (``ext.Cls.method``) rather than guess (``ext.Cls.attr.x``).
"""

from __future__ import annotations


def is_class_name(name: str) -> bool:
    return name.lstrip("_")[:1].isupper()


def names_a_class(path: str) -> bool:
    """Whether ``path`` names a class: calling it gives an instance, named by the class."""
    return is_class_name(path.rpartition(".")[2])


def has_known_attributes(path: str) -> bool:
    """Whether ``path.attr`` still names a symbol: attributes of modules and classes do;
    attributes of a class member (an instance attribute, a method) are unknown."""
    parts = path.split(".")
    return is_class_name(parts[-1]) or not any(is_class_name(part) for part in parts[:-1])
