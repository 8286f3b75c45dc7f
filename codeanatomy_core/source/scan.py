"""Walk a repository and fingerprint its Python files, without following links out of it."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import msgspec

from codeanatomy_core.errors import SourceError
from codeanatomy_core.ids import stable_id
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.source.globs import matches_any
from codeanatomy_core.source.text import DecodeFailure, LineIndex, decode_source
from codeanatomy_core.specs.signature import signature


class ScannedFile(msgspec.Struct, frozen=True, kw_only=True):
    file_id: int
    path: str
    module_name: str
    is_package: bool
    size_bytes: int
    content_sha256: str
    encoding: str | None
    line_count: int | None
    decode_status: str


class ScanIssue(msgspec.Struct, frozen=True, kw_only=True):
    """A path the scan could not take as a source file (recorded in extract_errors)."""

    path: str
    kind: str
    message: str


class ScanResult(msgspec.Struct, frozen=True, kw_only=True):
    repo_id: str
    files: tuple[ScannedFile, ...]
    issues: tuple[ScanIssue, ...]

    def fingerprint(self) -> str:
        """Content token of the whole scan: changes iff any file, path or issue changes."""
        return signature([self.files_fingerprint(), self.issues_fingerprint()])

    def files_fingerprint(self) -> str:
        return signature([self.repo_id, [(f.path, f.content_sha256) for f in self.files]])

    def issues_fingerprint(self) -> str:
        return signature([self.repo_id, self.issues])


def file_id_for(repo_id: str, path: str) -> int:
    """Parts: ("file", repo_id, repo-relative POSIX path)."""
    return stable_id("file", repo_id, path)


def module_name_for(path: str, source_roots: tuple[str, ...] = ()) -> tuple[str, bool]:
    """Dotted module name of a repo-relative ``.py`` path, and whether it is a package."""
    for root in sorted(source_roots, key=len, reverse=True):
        prefix = root.strip("/") + "/"
        if root and path.startswith(prefix):
            path = path[len(prefix) :]
            break
    parts = path[: -len(".py")].split("/") if path.endswith(".py") else path.split("/")
    is_package = parts[-1] == "__init__"
    if is_package and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


class _Walker:
    def __init__(self, config: RepositoryConfig, root: Path) -> None:
        self.config = config
        self.root = str(root)
        self.repo_id = config.resolved_repo_id
        self.files: list[ScannedFile] = []
        self.issues: list[ScanIssue] = []
        self.seen_dirs: set[tuple[int, int]] = set()
        self.source_roots = config.source_roots or (("src",) if self._is_src_layout(root) else ())

    @staticmethod
    def _is_src_layout(root: Path) -> bool:
        src = root / "src"
        return src.is_dir() and not (src / "__init__.py").exists()

    def issue(self, rel: str, kind: str, message: str) -> None:
        self.issues.append(ScanIssue(path=rel, kind=kind, message=message))

    def walk(self) -> None:
        root_stat = os.stat(self.root)
        self.seen_dirs.add((root_stat.st_dev, root_stat.st_ino))
        stack: list[str] = [""]
        while stack:
            self._walk_dir(stack.pop(), stack)

    def _walk_dir(self, rel_dir: str, stack: list[str]) -> None:
        abs_dir = os.path.join(self.root, rel_dir) if rel_dir else self.root
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            self.issue(rel_dir or ".", "unreadable_directory", f"cannot list directory: {err.strerror}")
            return
        if rel_dir and any(e.name == "pyvenv.cfg" for e in entries):
            return
        subdirs: list[str] = []
        for entry in entries:
            try:
                name = entry.name.encode("utf-8").decode("utf-8")
            except UnicodeEncodeError:
                shown = entry.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                rel = f"{rel_dir}/{shown}" if rel_dir else shown
                self.issue(rel, "undecodable_path", "file name is not valid UTF-8; skipped")
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            self._visit_entry(entry, rel, subdirs)
        # Reverse so that the stack pops folders in name order (deterministic traversal).
        stack.extend(reversed(subdirs))

    def _visit_entry(self, entry: os.DirEntry[str], rel: str, subdirs: list[str]) -> None:
        wanted_file = matches_any(rel, self.config.include) and not matches_any(rel, self.config.exclude)
        real = entry.path
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            if not _inside(real, self.root):
                if wanted_file or entry.name.endswith(".py"):
                    self.issue(
                        rel,
                        "symlink_outside_root",
                        "symbolic link leaves the repository; not followed",
                    )
                return
        try:
            st = os.stat(real)
        except OSError as err:
            if wanted_file:
                self.issue(rel, "broken_symlink", f"cannot resolve: {err.strerror}")
            return
        if stat.S_ISDIR(st.st_mode):
            if wanted_file:
                self.issue(rel, "not_a_regular_file", "a directory named like a source file")
            if entry.name in self.config.exclude_dirs or entry.name.endswith(".egg-info"):
                return
            key = (st.st_dev, st.st_ino)
            if key not in self.seen_dirs:
                self.seen_dirs.add(key)
                subdirs.append(rel)
            return
        if not wanted_file:
            return
        if not stat.S_ISREG(st.st_mode):
            self.issue(rel, "not_a_regular_file", "not a regular file (device, pipe or socket)")
            return
        if st.st_size > self.config.max_file_bytes:
            self.issue(
                rel,
                "too_large",
                f"{st.st_size} bytes exceeds the limit of {self.config.max_file_bytes}",
            )
            return
        try:
            with open(real, "rb") as handle:
                data = handle.read(self.config.max_file_bytes + 1)
        except OSError as err:
            self.issue(rel, "unreadable", f"cannot read: {err.strerror}")
            return
        self.files.append(self._describe(rel, data))

    def _describe(self, rel: str, data: bytes) -> ScannedFile:
        decoded = decode_source(data)
        module_name, is_package = module_name_for(rel, self.source_roots)
        return ScannedFile(
            file_id=file_id_for(self.repo_id, rel),
            path=rel,
            module_name=module_name,
            is_package=is_package,
            size_bytes=len(data),
            content_sha256=hashlib.sha256(data).hexdigest(),
            encoding=None if isinstance(decoded, DecodeFailure) else decoded.encoding,
            line_count=None if isinstance(decoded, DecodeFailure) else LineIndex(decoded.utf8).line_count,
            decode_status=decoded.kind if isinstance(decoded, DecodeFailure) else "ok",
        )


def scan_repository(config: RepositoryConfig) -> ScanResult:
    """Every selected ``.py`` file under the root, in path order, and every path skipped."""
    root = config.root_path
    if not root.is_dir():
        raise SourceError(f"repository root {config.root!r} is not a directory")
    walker = _Walker(config, root)
    walker.walk()
    files = tuple(sorted(walker.files, key=lambda f: f.path))
    issues = tuple(sorted(walker.issues, key=lambda i: (i.path, i.kind)))
    return ScanResult(repo_id=walker.repo_id, files=files, issues=issues)


def read_source_bytes(root: Path, path: str, *, max_bytes: int) -> bytes:
    """The bytes of a scanned file, re-checked to stay inside the root."""
    full = os.path.realpath(os.path.join(root, path))
    if not _inside(full, str(root)):
        raise SourceError(f"file {path!r} resolves outside the repository root")
    with open(full, "rb") as handle:
        return handle.read(max_bytes + 1)
