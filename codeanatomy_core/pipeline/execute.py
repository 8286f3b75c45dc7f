"""Run one step with the freshness rule: skip what is current, build what is stale."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from codeanatomy_core.errors import PipelineError
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext, Unchanged, setting_key
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.signature import should_regenerate
from codeanatomy_core.storage.commit import CommitStamp


def input_versions_for(step: Step, spec: DatasetSpec, ctx: StepContext) -> dict[str, str]:
    """The versions of the spec's upstream tables, and the step's settings."""
    found = {name: ctx.inputs[name].version_token for name in spec.upstream if name in ctx.inputs}
    if step.settings is not None:
        found.update({setting_key(name): value for name, value in step.settings(ctx).items()})
    return found


def _is_stale(
    step: Step, spec: DatasetSpec, stamp: CommitStamp | None, inputs: Mapping[str, str], force: bool
) -> bool:
    return should_regenerate(
        current=None if stamp is None else stamp.build_stamp(),
        next_signature=step.output_signature(spec),
        next_inputs=inputs,
        force=force,
    )


def execute_step(
    step: Step, ctx: StepContext, *, selected: Collection[str] | None = None
) -> dict[str, DatasetOutput | Unchanged]:
    """Outputs to write (stale ones) and Unchanged markers (current ones).

    Steps with only table inputs are not run at all when every selected output is current;
    steps that read the repository run, and their outputs are compared afterwards.
    """
    chosen = [s for s in step.outputs if selected is None or s.name in selected]
    missing = [name for name in step.inputs if name not in ctx.inputs]
    if missing:
        raise PipelineError(f"step {step.name!r}: inputs {missing} were not provided")
    if not step.reads_repository:
        stale = [
            s
            for s in chosen
            if _is_stale(step, s, ctx.previous.get(s.name), input_versions_for(step, s, ctx), ctx.force)
        ]
        if not stale:
            return {
                s.name: Unchanged(dataset=s.name, reason="signature and inputs unchanged") for s in chosen
            }
    produced = step.run(
        replace(
            ctx,
            output_signatures={s.name: step.output_signature(s) for s in step.outputs},
            selected=frozenset(s.name for s in chosen),
        )
    )
    result: dict[str, DatasetOutput | Unchanged] = {}
    for spec in chosen:
        if spec.name not in produced:
            raise PipelineError(f"step {step.name!r} did not produce dataset {spec.name!r}")
        out = produced[spec.name]
        if out.input_versions is None:
            out = replace(out, input_versions=input_versions_for(step, spec, ctx))
        assert out.input_versions is not None
        if _is_stale(step, spec, ctx.previous.get(spec.name), out.input_versions, ctx.force):
            result[spec.name] = out
        else:
            result[spec.name] = Unchanged(dataset=spec.name, reason="signature and inputs unchanged")
    return result
