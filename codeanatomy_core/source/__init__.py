"""Repository scan: file manifest, encodings, line index."""

from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.source.scan import ScanIssue, ScannedFile, ScanResult, scan_repository
from codeanatomy_core.source.text import DecodedSource, DecodeFailure, LineIndex, decode_source

__all__ = [
    "DecodeFailure",
    "DecodedSource",
    "LineIndex",
    "RepositoryConfig",
    "ScanIssue",
    "ScanResult",
    "ScannedFile",
    "decode_source",
    "scan_repository",
]
