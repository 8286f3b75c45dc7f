"""The rule templates shared by the CPG bundles."""

from __future__ import annotations

from codeanatomy_core.cpg.rules.builders import TEMPLATES
from codeanatomy_core.relspec.bundles import RuleBundle

CORE = RuleBundle("cpg_templates", description="Rule templates shared by the CPG rules.")
for _template in TEMPLATES:
    CORE.template(_template)
