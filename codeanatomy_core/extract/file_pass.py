"""The per-file pass: read once, decode once, parse once, one traversal for all extractors.

Every failure becomes an ExtractError for its stage; nothing from the file is ever executed
(``compile`` only builds code objects for the bytecode extractor).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence
from pathlib import Path

import msgspec
import pyarrow as pa

from codeanatomy_core.errors import SourceError
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.traversal import NodeCallback, traverse
from codeanatomy_core.extract.unit import ExtractError, FileTask, FileUnit, StageFailure
from codeanatomy_core.source.scan import read_source_bytes
from codeanatomy_core.source.text import DecodeFailure, decode_source

_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


class FileOutput(msgspec.Struct, kw_only=True):
    """What one file contributed: record batches per dataset and the errors it raised."""

    file_id: int
    path: str
    batches: dict[str, pa.RecordBatch]
    errors: list[ExtractError]


def _parse_error(err: BaseException) -> ExtractError:
    if isinstance(err, SyntaxError):
        return ExtractError(
            stage="parse",
            kind=type(err).__name__,
            message=err.msg or str(err),
            line=err.lineno,
            column=None if err.offset is None else max(err.offset - 1, 0),
        )
    nested = isinstance(err, RecursionError | MemoryError)
    kind = "too_deeply_nested" if nested else type(err).__name__
    return ExtractError(stage="parse", kind=kind, message=str(err) or type(err).__name__)


def load_unit(task: FileTask) -> FileUnit:
    """Read, decode and parse one file, raising StageFailure for the stage that failed."""
    try:
        data = read_source_bytes(Path(task.root), task.path, max_bytes=task.max_bytes)
    except (OSError, SourceError) as err:
        raise StageFailure(ExtractError(stage="read", kind="unreadable", message=str(err))) from err
    decoded = decode_source(data)
    if isinstance(decoded, DecodeFailure):
        raise StageFailure(
            ExtractError(
                stage="decode",
                kind=decoded.kind,
                message=decoded.message,
                line=decoded.line,
                column=decoded.column,
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(decoded.text, filename=task.path, type_comments=False)
    except _PARSE_ERRORS as err:
        raise StageFailure(_parse_error(err)) from err
    return FileUnit(task, decoded, tree)


def extract_file(task: FileTask, extractor_types: Sequence[type[Extractor]]) -> FileOutput:
    """All extractors' rows for one file; never raises for a bad file."""
    output = FileOutput(file_id=task.file_id, path=task.path, batches={}, errors=[])
    try:
        unit = load_unit(task)
    except StageFailure as failure:
        output.errors.append(failure.error)
        return output
    extractors = [cls(unit) for cls in extractor_types]
    dispatch: dict[type, list[NodeCallback]] = {}
    for extractor in extractors:
        for node_type in extractor.node_types:
            dispatch.setdefault(node_type, []).append(extractor.visit)
    try:
        index = traverse(unit.tree, dispatch)
    except RecursionError as err:
        output.errors.append(_parse_error(err))
        return output
    for extractor in extractors:
        try:
            output.batches.update(extractor.finish(index))
        except StageFailure as failure:
            output.errors.append(failure.error)
        except Exception as err:  # a defect on one file must cost only that file's stage
            output.errors.append(
                ExtractError(
                    stage=extractor.stage,
                    kind="internal_error",
                    message=f"{type(err).__name__}: {err}",
                )
            )
    output.errors.extend(unit.errors)
    return output
