"""Where tables live: a warehouse root URI plus object-store options."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import msgspec

from codeanatomy_core.specs.model import DatasetSpec


def _is_local(root: str) -> bool:
    scheme = urlparse(root).scheme
    # A Windows drive letter parses as a one-letter scheme.
    return scheme in ("", "file") or len(scheme) == 1


class Warehouse(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A warehouse root (local folder or object-store URI) and its storage options.

    Tables are laid out as ``<root>/<domain>/<dataset>``.
    """

    root: str
    storage_options: dict[str, str] = {}

    @classmethod
    def at(cls, root: str | Path, *, storage_options: dict[str, str] | None = None) -> Warehouse:
        text = str(root)
        if _is_local(text):
            text = str(Path(text.removeprefix("file://")).expanduser().resolve())
        return cls(root=text, storage_options=dict(storage_options or {}))

    @property
    def is_local(self) -> bool:
        return _is_local(self.root)

    def table_uri(self, spec: DatasetSpec) -> str:
        return self.uri_for(str(spec.domain), spec.name)

    def uri_for(self, domain: str, dataset: str) -> str:
        if self.is_local:
            return os.path.join(self.root, domain, dataset)
        return f"{self.root.rstrip('/')}/{domain}/{dataset}"

    def options(self) -> dict[str, str] | None:
        return dict(self.storage_options) or None


class TableHandle(msgspec.Struct, frozen=True, kw_only=True):
    """A pointer to one version of a stored dataset, passed between pipeline steps."""

    dataset: str
    uri: str
    version: int
    data_version: int
    storage_options: dict[str, str] = {}

    @property
    def version_token(self) -> str:
        """Freshness token: the version of the last data commit (maintenance excluded)."""
        return str(self.data_version)
