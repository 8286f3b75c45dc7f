"""scan_repository on the small_repo fixture and on repositories built at test time."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path

import pytest

from codeanatomy_core.errors import SourceError
from codeanatomy_core.ids import stable_id
from codeanatomy_core.source import RepositoryConfig, ScanIssue, ScanResult, scan_repository
from codeanatomy_core.source.scan import module_name_for

# (path, module_name, is_package, size_bytes, encoding, line_count, decode_status)
EXPECTED_FILES = [
    ("broken_syntax.py", "broken_syntax", False, 118, "utf-8", 8, "ok"),
    ("main.py", "main", False, 428, "utf-8", 18, "ok"),
    ("pkg/__init__.py", "pkg", True, 80, "utf-8", 5, "ok"),
    ("pkg/core.py", "pkg.core", False, 1260, "utf-8", 58, "ok"),
    ("pkg/legacy_latin1.py", "pkg.legacy_latin1", False, 171, "iso-8859-1", 9, "ok"),
    ("pkg/sub/__init__.py", "pkg.sub", True, 0, "utf-8", 0, "ok"),
    ("pkg/sub/deep.py", "pkg.sub.deep", False, 746, "utf-8", 25, "ok"),
    ("pkg/unicode_names.py", "pkg.unicode_names", False, 326, "utf-8", 12, "ok"),
    ("undecodable.py", "undecodable", False, 69, None, None, "decode_error"),
]

ESCAPE_ISSUE = ScanIssue(
    path="pkg/escape.py",
    kind="symlink_outside_root",
    message="symbolic link leaves the repository; not followed",
)


def scan(root: Path, **options: object) -> ScanResult:
    return scan_repository(RepositoryConfig(root=str(root), **options))  # type: ignore[arg-type]


def paths(result: ScanResult) -> list[str]:
    return [f.path for f in result.files]


def test_fixture_repository_manifest(small_repo_src: Path) -> None:
    result = scan(small_repo_src)
    assert result.repo_id == "small_repo"
    described = [
        (f.path, f.module_name, f.is_package, f.size_bytes, f.encoding, f.line_count, f.decode_status)
        for f in result.files
    ]
    assert described == EXPECTED_FILES
    assert result.issues == (ESCAPE_ISSUE,)


def test_content_hash_and_file_id(small_repo_src: Path) -> None:
    by_path = {f.path: f for f in scan(small_repo_src).files}
    latin1 = by_path["pkg/legacy_latin1.py"]
    # sha256 of the file's bytes on disk (latin-1, not its UTF-8 re-encoding).
    assert latin1.content_sha256 == "24cd861b0dc12f37acce715a79352f17c1d49d9bae68b2d8172caf3bf594cd0c"
    assert by_path["pkg/sub/__init__.py"].content_sha256 == hashlib.sha256(b"").hexdigest()
    assert latin1.file_id == stable_id("file", "small_repo", "pkg/legacy_latin1.py")
    assert len({f.file_id for f in by_path.values()}) == len(by_path)


def test_repo_id_names_the_repository_in_file_ids(small_repo_src: Path) -> None:
    default = scan(small_repo_src)
    named = scan(small_repo_src, repo_id="acme")
    assert named.repo_id == "acme"
    assert [f.file_id for f in named.files] == [stable_id("file", "acme", f.path) for f in named.files]
    assert {f.file_id for f in named.files}.isdisjoint(f.file_id for f in default.files)


def test_copy_of_the_fixture_scans_identically(small_repo_src: Path, small_repo: Path) -> None:
    assert scan(small_repo) == scan(small_repo_src)


def test_default_excluded_directories_are_not_entered(small_repo: Path) -> None:
    hidden = [
        ".git/hooks/post_commit.py",
        ".venv/lib/site.py",
        "pkg/__pycache__/core.cpython-311.py",
        "build/lib/pkg/core.py",
        "dist/setup.py",
        "node_modules/tool/gen.py",
        "pkg/sub/.mypy_cache/cache.py",
        "env/pyvenv_marked.py",  # a folder holding pyvenv.cfg is a virtual environment
        "pkg.egg-info/meta.py",
    ]
    for relative in hidden:
        target = small_repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")
    (small_repo / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = scan(small_repo)
    assert paths(result) == [row[0] for row in EXPECTED_FILES]
    assert result.issues == (ESCAPE_ISSUE,)


def test_exclude_dirs_can_be_overridden(small_repo: Path) -> None:
    (small_repo / "build").mkdir()
    (small_repo / "build" / "gen.py").write_text("x = 1\n")
    result = scan(small_repo, exclude_dirs=("sub",))
    assert "build/gen.py" in paths(result)
    assert not [p for p in paths(result) if p.startswith("pkg/sub/")]


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (
            ("pkg/**/*.py",),
            (),
            [
                "pkg/__init__.py",
                "pkg/core.py",
                "pkg/legacy_latin1.py",
                "pkg/sub/__init__.py",
                "pkg/sub/deep.py",
                "pkg/unicode_names.py",
            ],
        ),
        (("*.py",), (), ["broken_syntax.py", "main.py", "undecodable.py"]),
        (("**/*.py",), ("**/__init__.py", "*_syntax.py"), [
            "main.py", "pkg/core.py", "pkg/legacy_latin1.py", "pkg/sub/deep.py",
            "pkg/unicode_names.py", "undecodable.py",
        ]),
        (("**/*.py",), ("pkg/**",), ["broken_syntax.py", "main.py", "undecodable.py"]),
        (("**/de?p.py", "**/c[o]re.py"), (), ["pkg/core.py", "pkg/sub/deep.py"]),
        (("**/*.txt",), (), ["README.txt"]),
    ],
)  # fmt: skip
def test_include_and_exclude_globs(
    small_repo_src: Path, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    assert paths(scan(small_repo_src, include=include, exclude=exclude)) == expected


def test_escaping_python_symlink_is_reported_whatever_the_globs(small_repo_src: Path) -> None:
    only_top = scan(small_repo_src, include=("*.py",))
    # escape.py is not selected by the globs, but a .py link leaving the root is always reported.
    assert only_top.issues == (ESCAPE_ISSUE,)
    excluded = scan(small_repo_src, include=("*.txt",))
    assert excluded.issues == (ESCAPE_ISSUE,)


def _scan_with_deadline(root: Path, seconds: float) -> ScanResult:
    """Scan in a daemon thread so that a traversal that never ends fails the test instead
    of hanging the suite."""
    results: list[ScanResult] = []
    worker = threading.Thread(target=lambda: results.append(scan(root)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"scan of {root} did not finish"
    return results[0]


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "loopy"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "mod.py").write_text("x = 1\n")
    (root / "top.py").write_text("y = 2\n")
    os.symlink("..", root / "a" / "b" / "up")  # b/up -> a (a cycle through the parent)
    os.symlink(".", root / "self")  # root/self -> root
    os.symlink("loop.py", root / "loop.py")  # a link to itself
    os.symlink("ping.py", root / "pong.py")
    os.symlink("pong.py", root / "ping.py")
    result = _scan_with_deadline(root, 60)
    assert paths(result) == ["a/b/mod.py", "top.py"]
    assert [(i.path, i.kind) for i in result.issues] == [
        ("loop.py", "broken_symlink"),
        ("ping.py", "broken_symlink"),
        ("pong.py", "broken_symlink"),
    ]
    assert all(i.message.startswith("cannot resolve: ") for i in result.issues)


def test_links_inside_the_root_are_followed_once_per_directory(tmp_path: Path) -> None:
    root = tmp_path / "linked"
    (root / "real").mkdir(parents=True)
    (root / "real" / "impl.py").write_text("z = 3\n")
    os.symlink("real", root / "alias")  # the same folder twice: walked once
    os.symlink("real/impl.py", root / "shortcut.py")  # a file link inside the root is a file
    result = scan(root)
    assert paths(result) == ["alias/impl.py", "shortcut.py"]
    assert result.issues == ()


def test_directory_named_like_a_source_file_is_an_issue(tmp_path: Path) -> None:
    root = tmp_path / "odd"
    (root / "weird.py").mkdir(parents=True)
    (root / "weird.py" / "inner.py").write_text("a = 1\n")
    result = scan(root)
    assert paths(result) == ["weird.py/inner.py"]
    assert [(i.path, i.kind) for i in result.issues] == [("weird.py", "not_a_regular_file")]


def test_oversized_and_binary_files(tmp_path: Path) -> None:
    root = tmp_path / "sizes"
    root.mkdir()
    (root / "big.py").write_text("x = 1\n" * 100)
    (root / "blob.py").write_bytes(b"\x00\x01binary")
    (root / "small.py").write_text("x = 1\n")
    result = scan(root, max_file_bytes=100)
    assert [(f.path, f.decode_status, f.encoding, f.line_count) for f in result.files] == [
        ("blob.py", "binary", None, None),
        ("small.py", "ok", "utf-8", 1),
    ]
    assert [(i.path, i.kind, i.message) for i in result.issues] == [
        ("big.py", "too_large", "600 bytes exceeds the limit of 100"),
    ]


def test_src_layout_module_names(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "src" / "app" / "api").mkdir(parents=True)
    (root / "src" / "app" / "__init__.py").write_text("")
    (root / "src" / "app" / "api" / "routes.py").write_text("r = 1\n")
    (root / "tools.py").write_text("t = 1\n")
    result = scan(root)
    assert [(f.path, f.module_name, f.is_package) for f in result.files] == [
        ("src/app/__init__.py", "app", True),
        ("src/app/api/routes.py", "app.api.routes", False),
        ("tools.py", "tools", False),
    ]


@pytest.mark.parametrize(
    ("path", "roots", "expected"),
    [
        ("__init__.py", (), ("__init__", True)),
        ("a/b/__init__.py", (), ("a.b", True)),
        ("a/b/c.py", (), ("a.b.c", False)),
        ("lib/x/y.py", ("lib",), ("x.y", False)),
        ("lib/x/y.py", ("lib", "lib/x"), ("y", False)),  # the longest source root wins
        ("other/x.py", ("lib",), ("other.x", False)),
    ],
)
def test_module_name_for(path: str, roots: tuple[str, ...], expected: tuple[str, bool]) -> None:
    assert module_name_for(path, roots) == expected


def test_missing_root_is_a_source_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError, match=re.escape(f"repository root {str(missing)!r} is not a directory")):
        scan(missing)


def test_fingerprints_follow_files_and_issues_separately(small_repo: Path) -> None:
    before = scan(small_repo)
    (small_repo / "pkg" / "core.py").write_text("changed = True\n")
    after_edit = scan(small_repo)
    assert after_edit.files_fingerprint() != before.files_fingerprint()
    assert after_edit.issues_fingerprint() == before.issues_fingerprint()
    assert after_edit.fingerprint() != before.fingerprint()
    (small_repo / "pkg" / "escape.py").unlink()
    after_unlink = scan(small_repo)
    assert after_unlink.files_fingerprint() == after_edit.files_fingerprint()
    assert after_unlink.issues_fingerprint() != after_edit.issues_fingerprint()
