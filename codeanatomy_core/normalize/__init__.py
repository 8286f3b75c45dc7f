"""Normalize: whole-program name, import and call resolution over every file's py_facts.

Modules, by job:

* ``program``: the files' facts side by side, with global ids;
* ``symbols``/``mro``: static resolution (namespaces, imports, dotted paths, C3 MROs);
* ``values``/``engine``: interned abstract values and the bounded semi-naive worklist;
* ``flow_base``/``flow_attrs``/``flow_ops``/``flow_builtins``/``flow_calls``/``solver``:
  the inter-procedural flow fixpoint (fields, attributes along the MRO, containers,
  builtins, calls resolved on the fly);
* ``resolve``: decode, resolve, solve (the one implementation behind the step and the
  exporter);
* ``datasets``/``datasets_resolution``/``kinds``: table specs and vocabularies;
* ``tables*``/``call_methods``/``table_ids``: the normalize tables;
* ``incremental``/``step``: the pipeline step; ``callgraph``: the PyCG-format exporter.
"""
