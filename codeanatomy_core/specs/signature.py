"""Canonical encoding, signatures and the regenerate decision.

Canonical encoding = msgspec JSON with struct fields and mapping keys sorted and no
whitespace; a signature is the sha256 of it. Inputs are specs only, never run-time data,
timestamps or machine paths, so the same specs give the same signature on any machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec

SIGNATURE_SCHEME = "codeanatomy-sig-v1"

_ENCODER = msgspec.json.Encoder(order="sorted")


def canonical_encode(obj: Any) -> bytes:
    """Deterministic bytes for any msgspec-encodable value (sorted keys, no whitespace)."""
    return _ENCODER.encode(obj)


def signature(obj: Any) -> str:
    """sha256 hex digest of the canonical encoding, prefixed by the scheme version."""
    digest = hashlib.sha256(SIGNATURE_SCHEME.encode("ascii"))
    digest.update(b"\x00")
    digest.update(canonical_encode(obj))
    return digest.hexdigest()


def combine_signatures(parts: Mapping[str, str]) -> str:
    """One signature over named signatures (order-insensitive in the names)."""
    return signature(dict(parts))


class BuildStamp(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a stored table was built from: its spec signature and its inputs' versions.

    ``input_versions`` maps an input name (an upstream dataset, or ``repository`` for the
    scanned files) to a version token (a Delta version or a content hash).
    """

    signature: str
    input_versions: dict[str, str] = {}


def should_regenerate(
    *,
    current: BuildStamp | None,
    next_signature: str,
    next_inputs: Mapping[str, str],
    force: bool = False,
) -> bool:
    """True when a table must be rebuilt: forced, never built, spec or inputs changed."""
    if force or current is None:
        return True
    return current.signature != next_signature or dict(current.input_versions) != dict(next_inputs)
