"""Thin orchestration: spec → lazy plan → one write per product."""

from picpump.pipeline.plan import Plan, make_plan
from picpump.pipeline.run import RunResult, execute
from picpump.pipeline.spec import PipelineSpec, load_spec, parse_spec

__all__ = ["Plan", "PipelineSpec", "RunResult", "execute", "load_spec", "make_plan", "parse_spec"]
