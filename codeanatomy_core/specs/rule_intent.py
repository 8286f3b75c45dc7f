"""Field-metadata keys by which a dataset spec declares the CPG rows its rows are.

They live with the specs (not the rule compiler) so that any dataset can declare its intent
without depending on ``relspec``; :mod:`codeanatomy_core.relspec.synthesis` reads them.
"""

from __future__ import annotations

INTENT_KEY = "codeanatomy.relspec.intent"  # on the id field: "nodes:<KIND>" or "edges:<KIND>"
COLUMN_KEY = "codeanatomy.relspec.column"  # on other fields: the output column(s) they fill
