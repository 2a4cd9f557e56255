"""pytest, run over the conformance suite (`pytest --pyargs dezero_conformance.conformance`,
or `pytest conformance` in a checkout): the same clauses, isolation and verdicts as
`python -m unittest discover`.

Installed, pytest loads this module in every session (the `pytest11` entry point); it only
adds its options and acts on the suite's own clauses, never on other tests. `-p
no:dezero_conformance` turns it off. Options (each the environment variable of the same
setting, which still works):

  --dezero-engine SPEC   CONFORMANCE_ENGINE: an adapter's name or a file's path
  --dezero-step N        CONFORMANCE_STEP: the book step to judge the engine at
  --dezero-seed N        CONFORMANCE_SEED
  --dezero-fuzz N        CONFORMANCE_FUZZ: random graphs to run

Only the clauses of the judged step are collected: the others are deselected, as unittest
never collects them. Each clause's id (S12) is a keyword, so `-k S12` selects it.
"""
import importlib.util
import os
import sys

import pytest

OPTIONS = (("engine", "CONFORMANCE_ENGINE", "SPEC",
            "the engine to judge: an adapter's name (reference, torch, ...) or a file's path"),
           ("step", "CONFORMANCE_STEP", "N", "the book step to judge the engine at"),
           ("seed", "CONFORMANCE_SEED", "N", "the seed of the suite's random inputs"),
           ("fuzz", "CONFORMANCE_FUZZ", "N", "how many random graphs to run"))


def pytest_addoption(parser):
    group = parser.getgroup("dezero-conformance", "the DeZero conformance suite")
    for name, var, metavar, text in OPTIONS:
        group.addoption(f"--dezero-{name}", dest=f"dezero_{name}", metavar=metavar,
                        default=None, help=f"{text} (the same as {var})")


def pytest_configure(config):
    for name, var, _, _ in OPTIONS:
        value = config.getoption(f"dezero_{name}", None)
        if value is not None:
            os.environ[var] = str(value)
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput") \
            and _runs_suite(config):
        # pytest-xdist: a bad setting or engine is said once, here, before any worker starts
        # (a worker could only end its own process, and xdist would start another)
        from dezero_conformance.conformance import support
        _, problem = support.engine_or_problem(announce=False)
        if problem:
            pytest.exit(f"conformance: {problem}", returncode=2)


def _runs_suite(config):
    """Whether pytest's arguments hold the suite (its directory, a part of it, or a parent)."""
    suite = os.path.realpath(importlib.util.find_spec(
        "dezero_conformance.conformance").submodule_search_locations[0])
    for arg in config.args:
        arg = arg.split("::")[0]
        if config.option.pyargs:
            try:
                found = importlib.util.find_spec(arg)
            except (ImportError, ValueError):
                found = None
            if found is not None:
                arg = (list(found.submodule_search_locations or ())[:1] or [found.origin])[0]
        where = os.path.realpath(arg)
        if where == suite or where.startswith(suite + os.sep) or suite.startswith(where + os.sep):
            return True
    return False


def _clause_items(items):
    """The items that are the suite's clauses, judging the engine CONFORMANCE_ENGINE names
    (the kit's own tests bind clause groups to engines of their own: not those)."""
    support = sys.modules.get("dezero_conformance.conformance.support")
    if support is None:  # no clause module was collected
        return []
    return [item for item in items if isinstance(getattr(item, "cls", None), type)
            and issubclass(item.cls, support.Clauses) and item.cls.engine is None]


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: the clause ids are keywords
def pytest_collection_modifyitems(session, config, items):
    clauses = _clause_items(items)
    if not clauses:
        return
    from dezero_conformance.conformance import support
    engine, problem = support.engine_or_problem(announce=False)
    if problem:
        pytest.exit(f"conformance: {problem}", returncode=2)
    keep, drop, chosen = [], [], set(clauses)
    for item in items:
        if item not in chosen:
            keep.append(item)
            continue
        test = item.cls(item.name)
        test.engine = engine
        clause = support.clause_id(test._testMethodDoc)
        item.extra_keyword_matches.add(clause)
        item.user_properties.append(("clause", clause))
        (keep if support.applicable(test, engine) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    # simplest first, as the other runners do (by book step, then number; random graphs last)
    slots = [i for i, item in enumerate(items) if item in chosen]
    ordered = sorted((items[i] for i in slots), key=lambda item: support.simplest_first(
        item.cls(item.name)))
    for i, item in zip(slots, ordered):
        items[i] = item


def pytest_report_collectionfinish(config, start_path, items):
    """The engine, its step and the loader's notices, under "collected N items"."""
    support = sys.modules.get("dezero_conformance.conformance.support")
    engine = getattr(support, "_engine", None)
    if engine is None:
        return None
    return [f"conformance: {support.describe(engine)}"] + [
        f"conformance: notice: {notice}" for notice in getattr(engine, "NOTICES", ())]
