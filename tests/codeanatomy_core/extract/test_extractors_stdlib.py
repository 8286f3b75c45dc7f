"""Every registered extractor over real standard-library files: no errors, the spec's schema,
the dataset contracts (keys unique, non-null fields, allowed values) and identical reruns."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pyarrow as pa

from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.runner import extractor_outputs
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.ids import stable_id
from codeanatomy_core.specs.schema import arrow_schema
from codeanatomy_core.storage.contract import check_contract, conform

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = (
    "asyncio/base_events.py",
    "json/decoder.py",
    "email/_header_value_parser.py",
    "dataclasses.py",
    "importlib/_bootstrap_external.py",
    "unittest/mock.py",
)
NEW_DATASETS = {
    "symtable_scopes",
    "symtable_symbols",
    "code_units",
    "bytecode_instructions",
    "cfg_blocks",
    "cfg_edges",
    "comments",
    "docstrings",
    "line_index",
}


def _run() -> list[FileOutput]:
    outputs = []
    for path in FILES:
        task = FileTask(
            file_id=stable_id("file", "stdlib", path),
            path=path,
            module_name=path.removesuffix(".py").replace("/", "."),
            root=str(STDLIB),
            max_bytes=1 << 22,
        )
        outputs.append(extract_file(task, EXTRACTORS))
    return outputs


def test_all_extractors_over_real_files() -> None:
    outputs = _run()
    assert [o.errors for o in outputs] == [[] for _ in FILES]
    specs = {spec.name: spec for spec in extractor_outputs(EXTRACTORS)}
    assert set(specs) >= NEW_DATASETS
    for name, spec in specs.items():
        schema = arrow_schema(spec)
        batches = [o.batches[name] for o in outputs]
        assert all(batch.schema.equals(schema, check_metadata=True) for batch in batches), name
        table = pa.Table.from_batches(batches, schema=schema)
        assert table.num_rows > 0, name
        check_contract(spec, conform(spec, table))
    again = _run()
    for first, second in zip(outputs, again, strict=True):
        for name in NEW_DATASETS:
            assert first.batches[name].equals(second.batches[name]), name
