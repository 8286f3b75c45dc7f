"""What a solved component of the flow gives the components reading it, kept between runs.

With ``FlowGranularity.MODULES`` a component reads three things of its dependencies: their
modules' namespaces, the fields of the objects they own and their functions' returns (see
``solver``); it never writes them. After an edit, the dependencies of the components solved
again are restored from these rows instead of being solved again: their files and their own
dependencies did not change, so solving them would give what the rows hold.

Variables and values are written by content, with definitions and call sites as (file id,
index in the file): an edit elsewhere moves global ids, not these. A file's rows are the
non-empty variables of its namespaces, of its objects' fields (in the order they were made:
readers see an object's field keys in that order) and of its functions' returns.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

import msgspec
import pyarrow as pa

from codeanatomy_core.normalize.flow_summaries import ParamSummaries, Summary
from codeanatomy_core.normalize.kinds import StateKind
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.values import DEFINED_KINDS, RECEIVER_SITES, ValueKind

_KINDS = {int(kind): kind for kind in ValueKind}
_NAMED = (ValueKind.MODULE, ValueKind.EXTERNAL, ValueKind.BUILTIN, ValueKind.CONST, ValueKind.TYPED)

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode


class StateRow(msgspec.Struct, frozen=True, kw_only=True):
    file_id: int
    ordinal: int
    kind: StateKind
    variable: bytes
    values: bytes


class StateCodec:
    """Values and variables of a solver <-> their content keys (msgpack-friendly lists;
    one codec per solver: value keys are remembered)."""

    def __init__(self, solver: ParamSummaries) -> None:
        # Weak: the solver holds its codec, and a cycle would leave the solver's millions of
        # objects to the cyclic collector (a second-long pass) instead of reference counts.
        self.solver: ParamSummaries = weakref.proxy(solver)
        program: Program = solver.program
        self.program = program
        self._file_index = {entry.file_id: entry.index for entry in program.files}
        self._keys: dict[int, list[Any]] = {}
        self._single: dict[int, bytes] = {}  # a value -> its one-value encoding
        # Restored states (see restore): values by encoding, fields by their object's key.
        self._restored_values: dict[bytes, list[int]] = {}
        self._restored_fields: dict[bytes, list[tuple[str, bytes]]] = {}

    # ---- restored states, made when the solve first reads them ----

    def restored_values(self, data: bytes) -> list[int]:
        found = self._restored_values.get(data)
        if found is None:
            found = self._restored_values[data] = [self.value_of(key) for key in _decode(data)]
        return found

    def defer_field(self, object_key: Any, key: str, data: bytes) -> None:
        """Keep a restored field row until its object is first touched (see adopt_fields)."""
        self._restored_fields.setdefault(_encode(object_key), []).append((key, data))
        self.solver.pending_fields = self.adopt_fields

    def adopt_fields(self, obj: int) -> None:
        """Make the restored fields of ``obj`` (in their stored order: readers see an object's
        field keys in the order they were made), their values deferred."""
        rows = self._restored_fields.pop(_encode(self.value_key(obj)), None)
        if rows is None:
            return
        solver = self.solver
        engine, fields, keys = solver.engine, solver.fields, solver.field_keys
        for key, data in rows:
            var = fields[obj, key] = engine.new_var()
            keys.setdefault(obj, []).append(key)
            engine.defer(var, partial(self.restored_values, data))

    # ---- ids <-> (file id, index in the file) ----

    def _def(self, gid: int) -> list[int]:
        entry = self.program.file_of_def(gid)
        return [entry.file_id, gid - entry.def_base]

    def def_gid(self, file_id: int, local: int) -> int:
        return self.program.files[self._file_index[file_id]].def_base + local

    def _call(self, gid: int) -> list[int]:
        entry = self.program.file_of_call(gid)
        return [entry.file_id, gid - entry.call_base]

    def _call_gid(self, file_id: int, local: int) -> int:
        return self.program.files[self._file_index[file_id]].call_base + local

    # ---- values ----

    def value_key(self, value: int) -> list[Any]:
        found = self._keys.get(value)
        if found is None:
            found = self._keys[value] = self._value_key(value)
        return found

    def _value_key(self, value: int) -> list[Any]:
        values = self.solver.values
        kind, a, b = values.kind[value], values.a[value], values.b[value]
        if kind in DEFINED_KINDS:
            return [kind, *self._def(a)]
        if kind == ValueKind.BOUND_METHOD:
            return [kind, *self._def(a), b]
        if kind in _NAMED:
            return [kind, a]
        if kind == ValueKind.SUPER:
            return [kind, *self._def(a), self.value_key(b)]
        if kind == ValueKind.TYPE_METHOD:
            return [kind, a[0], a[1], self.value_key(b) if b >= 0 else None]
        return [kind, a, self._site_key(b)]  # a container

    def _site_key(self, site: tuple) -> list[Any]:
        head = site[0]
        if type(head) is int:  # a display (file index, site) or a slice (file index, "slice", site)
            file_id = self.program.files[head].file_id
            return [0, file_id, site[1]] if len(site) == 2 else [1, file_id, site[2]]
        if head == "builtin":
            return [2, *self._call(site[1]), site[2]]
        if head in RECEIVER_SITES:
            return [3, head, self.value_key(site[1]), *self._def(site[2])]
        return [4, head, *self._def(site[1])]

    def value_of(self, key: list[Any]) -> int:
        values = self.solver.values
        kind = _KINDS[key[0]]  # (a dict lookup: calling the enum costs ten times more)
        if kind in DEFINED_KINDS:
            return values.intern(kind, self.def_gid(key[1], key[2]))
        if kind == ValueKind.BOUND_METHOD:
            return values.intern(kind, self.def_gid(key[1], key[2]), key[3])
        if kind in _NAMED:
            return values.intern(kind, key[1])
        if kind == ValueKind.SUPER:
            return values.intern(kind, self.def_gid(key[1], key[2]), self.value_of(key[3]))
        if kind == ValueKind.TYPE_METHOD:
            receiver = -1 if key[3] is None else self.value_of(key[3])
            return values.intern(kind, (key[1], key[2]), receiver)
        return values.intern(kind, key[1], self._site_of(key[2]))

    def _site_of(self, key: list[Any]) -> tuple:
        tag = key[0]
        if tag == 0:
            return (self._file_index[key[1]], key[2])
        if tag == 1:
            return (self._file_index[key[1]], "slice", key[2])
        if tag == 2:
            return ("builtin", self._call_gid(key[1], key[2]), key[3])
        if tag == 3:
            return (key[1], self.value_of(key[2]), self.def_gid(key[3], key[4]))
        return (key[1], self.def_gid(key[2], key[3]))

    def encode_summary(self, summary: Summary) -> bytes:
        """A parameter's summary (see flow_summaries): its call sites as [file id, index in
        the file] ([] for RETURNS), then its attribute sites as [file id, index, name]."""
        sites, attrs = summary
        keys: list[list[Any]] = [[] if site < 0 else self._call(site) for site in sites]
        keys.extend([*self._call(site), name] for name, site in attrs)
        return _encode(keys)

    def summary_of(self, data: bytes) -> Summary:
        sites: list[int] = []
        attrs: list[tuple[str, int]] = []
        for key in _decode(data):
            if len(key) == 3:
                attrs.append((key[2], self._call_gid(key[0], key[1])))
            else:
                sites.append(self._call_gid(key[0], key[1]) if key else -1)
        return tuple(sorted(sites)), tuple(sorted(attrs))

    def encode_fed(self, edges: Mapping[int, Mapping[int, int]]) -> bytes:
        """Call edges as [call file id, index, target, method]; a target is a definition's
        [file id, index] or a symbol's name."""
        names = self.solver.symbol_names
        rows: list[list[Any]] = []
        for call in sorted(edges):
            site = self._call(call)
            targets = [
                (self._def(target) if target >= 0 else names[~target], method)
                for target, method in edges[call].items()
            ]
            # Ordered by content (definitions first): symbol ids depend on what else was solved.
            targets.sort(key=lambda item: (isinstance(item[0], str), item[0]))
            rows.extend([*site, target, method] for target, method in targets)
        return _encode(rows)

    def encode_values(self, found: set[int]) -> bytes:
        if len(found) == 1:  # most variables: encoded once per value
            (value,) = found
            data = self._single.get(value)
            if data is None:
                data = self._single[value] = _encode([self.value_key(value)])
            return data
        rank = self.solver.values.rank
        return _encode([self.value_key(v) for v in sorted(found, key=rank.__getitem__)])


def capture(
    codec: StateCodec,
    files: Iterable[int],
    *,
    made_globals: list[tuple[str, str, int]],
    made_fields: list[tuple[int, str, int]],
    summaries: Iterable[tuple[int, int, Summary]] = (),
    fed: Mapping[int, Mapping[int, int]] | None = None,
) -> list[StateRow]:
    """The state rows of a solved component (``files``: its file indices; ``made_globals``
    and ``made_fields``: the namespace and field variables made while it was solved;
    ``summaries``: (file index, parameter variable, summary) of its functions; ``fed``: the
    call edges it made at other components' call sites, call -> target -> method)."""
    solver = codec.solver
    program, engine = solver.program, solver.engine
    files = tuple(files)
    own = set(files)
    rows: list[StateRow] = []
    counters: dict[int, int] = {}

    def append(index: int, kind: StateKind, variable: list[Any], values: bytes) -> None:
        file_id = program.files[index].file_id
        ordinal = counters.get(file_id, 0)
        counters[file_id] = ordinal + 1
        row = StateRow(file_id=file_id, ordinal=ordinal, kind=kind, variable=_encode(variable), values=values)
        rows.append(row)

    def add(index: int, kind: StateKind, variable: list[Any], var: int) -> None:
        found = engine.pts[var]
        if found:
            append(index, kind, variable, codec.encode_values(found))

    for module, name, var in sorted(made_globals):
        entry = program.modules.get(module)
        if entry is not None and entry.index in own:
            add(entry.index, StateKind.NAMESPACE, [module, name], var)
    for obj, key, var in made_fields:
        owner = solver.owner_file(obj)
        if owner in own:
            add(owner, StateKind.FIELD, [codec.value_key(obj), key], var)
    for index in sorted(own):
        entry = program.files[index]
        for local in range(len(entry.facts.defs)):
            signature = solver.signatures.get(entry.def_base + local)
            if signature is None:
                continue
            for kind, var in ((StateKind.RETURN, signature.ret_var), (StateKind.YIELD, signature.yield_var)):
                if var >= 0:
                    add(index, kind, [entry.file_id, local], var)
    named: set[int] = set()
    for index, param, summary in summaries:
        entry = program.files[index]
        append(
            index, StateKind.SUMMARY, [entry.file_id, param - entry.var_base], codec.encode_summary(summary)
        )
        named.update(site for site in summary[0] if site >= 0)
        named.update(site for _, site in summary[1])
    # The own call edges of the sites a caller may feed: what those sites' rows are made of
    # when a caller feeding them is solved again and this component is not (see flow_scope).
    own_edges: dict[int, dict[int, dict[int, int]]] = {}
    for site in sorted(named):
        index = program.file_of_call(site).index
        found = solver.call_edges.get(site)
        if found and index in own:
            own_edges.setdefault(index, {})[site] = found
    for index, by_site in sorted(own_edges.items()):
        append(index, StateKind.SITES, [], codec.encode_fed(by_site))
    if fed:
        append(files[0], StateKind.FEEDS, [], codec.encode_fed(fed))
    return rows


def decode_many(blobs: list[bytes]) -> list[Any]:
    """Decode msgpack-encoded objects with one decoder call (as the items of one array):
    a restore decodes tens of thousands of small rows, and each call has its own cost."""
    count = len(blobs)
    if count < 16:
        header = bytes((0x90 | count,))
    elif count < 1 << 16:
        header = b"\xdc" + count.to_bytes(2, "big")
    else:
        header = b"\xdd" + count.to_bytes(4, "big")
    return _decode(b"".join((header, *blobs)))


def restore(codec: StateCodec, rows: Iterable[StateRow]) -> None:
    """Give the codec's solver the variables of the rows, frozen (their files' component is
    then as if solved; ``rows``: per file, in ordinal order)."""
    solver = codec.solver
    engine = solver.engine
    rows = list(rows)
    variables = decode_many([row.variable for row in rows])
    # A solve reads a small part of what its dependencies hold: a variable's values are made
    # when it is first read (the engine defers it), an object's fields when it is first
    # touched (see FlowBase.field), and each distinct encoding of values is decoded once.
    values_of = codec.restored_values
    for row, variable in zip(rows, variables, strict=True):
        if row.kind is StateKind.SUMMARY:
            entry = codec.program.files[codec._file_index[variable[0]]]
            param = entry.var_base + variable[1]
            solver.param_sites[param], solver.param_attrs[param] = codec.summary_of(row.values)
            continue
        if row.kind is StateKind.FEEDS or row.kind is StateKind.SITES:
            continue  # read by flow_scope
        if row.kind is StateKind.NAMESPACE:
            var = solver.globals[variable[0], variable[1]] = engine.new_var()
        elif row.kind is StateKind.FIELD:
            codec.defer_field(variable[0], variable[1], row.values)
            continue
        else:
            signature = solver.signatures[codec.def_gid(variable[0], variable[1])]
            var = signature.ret_var if row.kind is StateKind.RETURN else signature.yield_var
        engine.defer(var, partial(values_of, row.values))


class FedEdge(msgspec.Struct, frozen=True, array_like=True):
    """A call edge a component made at another one's call site (a ``feeds`` row's values)."""

    call_file_id: int
    call_index: int
    target: list[int] | str  # a definition's [file id, index], or a symbol's name
    method: int


_fed_decoder = msgspec.msgpack.Decoder(list[FedEdge])


def fed_edges(data: bytes) -> list[FedEdge]:
    return _fed_decoder.decode(data)


def state_rows(table: pa.Table) -> Iterator[StateRow]:
    """The rows of a ``flow_states`` table, in its order."""
    columns = [
        table.column(name).to_pylist() for name in ("file_id", "ordinal", "kind", "variable", "values")
    ]
    for file_id, ordinal, kind, variable, values in zip(*columns, strict=True):
        yield StateRow(
            file_id=file_id, ordinal=ordinal, kind=StateKind(kind), variable=variable, values=values
        )
