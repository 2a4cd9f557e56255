"""Steps 18-19: backward(retain_grad=False), no_grad and using_config, Variable as an array."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    show,
)


class Raised(Exception):
    """Raised by the kit inside a no_grad block, to see the setting restored."""


class ConfigClauses(Clauses):

    def test_s25_backward_keeps_only_leaf_grads_by_default(self):
        ("""S25 (step 18): backward() keeps only the leaves' grads (retain_grad=False): t = """
         """add(x0, x1); y = add(x0, t) at 1, 1 leaves y.grad and t.grad None, x0.grad 2.0, """
         """x1.grad 1.0.""")
        E = self.engine
        self.require("variable", "add", "retain_grad")
        for how, retain in (("default", None), ("retain_grad=False", False),
                            ("retain_grad=True", True)):
            with self.subTest(how):
                arg = "" if retain is None else f", retain_grad={retain}"
                self.call(f"x0, x1 = E.Variable(np.array(1.0)), E.Variable(np.array(1.0))\n"
                          f"t = E.add(x0, x1)\ny = E.add(x0, t)\nE.backward(y{arg})\n"
                          f"print([E.grad_of(v) for v in (y, t, x0, x1)])")
                x0, x1 = E.Variable(np.array(1.0)), E.Variable(np.array(1.0))
                t = E.add(x0, x1)
                y = E.add(x0, t)
                E.backward(y, retain_grad=retain)
                for name, v, want in (("x0", x0, 2.0), ("x1", x1, 1.0)):
                    self.assertValues(E.grad_of(v), np.array(want), f"{name}.grad after "
                                      f"backward ({how})", EXACT, "exact")
                for name, v in (("y", y), ("t", t)):
                    got = E.grad_of(v)
                    if retain:
                        self.assertIsNotNone(got, f"{self.clause}: {name}.grad after backward "
                                                  f"({how}) must be kept, got None")
                        self.assertValues(got, np.array(1.0), f"{name}.grad after backward "
                                          f"({how})", EXACT, "exact")
                    elif got is not None:
                        self.fail(f"{self.clause}: {name}.grad after backward ({how}) must be "
                                  f"None (only leaves keep grads), got {show(got)}")

    def test_s26_no_grad_builds_no_graph_and_restores(self):
        ("""S26 (step 18): under no_grad() or using_config('enable_backprop', False) """
         """square(x).creator is None; the setting comes back after the block, also after an """
         """exception.""")
        E = self.engine
        self.require("no_grad")

        def graphs():
            return E.creator_of(E.square(E.leaf(np.array(2.0)))) is not None

        def check(where, want):
            if graphs() != want:
                self.fail(f"{self.clause}: {where}, square(x).creator must be "
                          f"{'a Function' if want else 'None'}")
        self.call("x = E.leaf(np.array(2.0))\nwith E.no_grad():\n    y = E.square(x)\n"
                  "print(E.creator_of(y), E.value(y))")
        check("before no_grad()", True)
        with E.no_grad():
            check("under no_grad()", False)
            y = E.square(E.leaf(np.array(2.0)))
        self.assertValues(E.value(y), np.array(4.0), "square(2.0) under no_grad()", EXACT,
                          "forward as usual")
        check("after a no_grad() block", True)
        try:
            with E.no_grad():
                raise Raised
        except Raised:
            pass
        check("after an exception inside no_grad()", True)
        if not self.applies("config", part="Config and using_config"):
            return
        with self.subTest("Config.enable_backprop and using_config"):
            if E.Config.enable_backprop is not True:
                self.fail(f"{self.clause}: Config.enable_backprop must start True, got "
                          f"{show(E.Config.enable_backprop)}")
            with E.using_config("enable_backprop", False):
                check("under using_config('enable_backprop', False)", False)
                if E.Config.enable_backprop is not False:
                    self.fail(f"{self.clause}: under using_config('enable_backprop', False) "
                              f"Config.enable_backprop must be False")
                with E.using_config("enable_backprop", True):
                    check("under using_config(..., True) inside using_config(..., False)", True)
                check("back in using_config(..., False) after a nested True", False)
            check("after using_config('enable_backprop', False)", True)
            for manager in (lambda: E.using_config("enable_backprop", False), E.no_grad):
                try:
                    with manager():
                        with E.using_config("enable_backprop", True):
                            raise Raised
                except Raised:
                    pass
                check("after an exception inside nested using_config blocks", True)
                if E.Config.enable_backprop is not True:
                    self.fail(f"{self.clause}: Config.enable_backprop after an exception "
                              f"inside the block must be True again")

    def test_s27_variable_reads_like_an_array(self):
        ("""S27 (step 19): Variable has name, shape, ndim, size, dtype, len() and the repr """
         """variable(...).""")
        E = self.engine
        self.require("array_like")
        for data in (np.array([[1, 2, 3], [4, 5, 6]]), np.array(1.0), np.array([0.5, -2.0]),
                     np.zeros((2, 3, 4), dtype=np.float32), np.array([[1.5], [2.25]])):
            with self.subTest(f"{data.dtype} shape {data.shape}"):
                v = E.Variable(data)
                for attr, want in (("shape", data.shape), ("ndim", data.ndim),
                                   ("size", data.size), ("dtype", data.dtype)):
                    got = getattr(v, attr)
                    if type(got) is not type(want) or got != want:
                        self.fail(f"{self.clause}: Variable({data.tolist()}).{attr} is "
                                  f"{show(got)}, must be {want!r}")
                if data.ndim:
                    self.assertEqual(len(v), len(data), f"{self.clause}: len(Variable(...))")
                want = "variable(" + str(data).replace("\n", "\n" + " " * 9) + ")"
                self.assertEqual(repr(v), want, f"{self.clause}: repr of Variable({data!r})")
        self.assertEqual(repr(E.Variable(None)), "variable(None)",
                         f"{self.clause}: repr(Variable(None))")
        self.assertIsNone(E.Variable(np.array(1.0)).name, f"{self.clause}: name by default")
        self.assertEqual(E.Variable(np.array(1.0), name="x").name, "x",
                         f"{self.clause}: Variable(data, name='x').name")
        self.assertEqual(E.Variable(np.array(1.0), "y").name, "y",
                         f"{self.clause}: Variable(data, 'y').name (name is the second argument)")


class TestConfig(ConfigClauses, unittest.TestCase):
    pass
