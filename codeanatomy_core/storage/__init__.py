"""Delta storage: write policies, commit metadata, reads."""

from codeanatomy_core.storage.commit import CommitStamp
from codeanatomy_core.storage.location import TableHandle, Warehouse
from codeanatomy_core.storage.reader import (
    current_handle,
    last_stamp,
    open_table,
    read_dataset,
    read_handle,
    read_last_commit,
)
from codeanatomy_core.storage.writer import PreparedTable, WriteResult, prepare, write_dataset

__all__ = [
    "CommitStamp",
    "PreparedTable",
    "TableHandle",
    "Warehouse",
    "WriteResult",
    "current_handle",
    "last_stamp",
    "open_table",
    "prepare",
    "read_dataset",
    "read_handle",
    "read_last_commit",
    "write_dataset",
]
