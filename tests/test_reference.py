"""The reference engine's own promises, beyond the contract: the repairs it makes to the
book's code, and a graph freed by reference counting alone.

A 10^6-op chain takes several seconds, so it is not a unit test: `python -m benchmarks`
back-propagates through 10^6 squares at the default recursion limit and checks dy/dx (see
benchmarks/contenders.py).
"""
import gc
import importlib.util
import os
import unittest
import weakref

import numpy as np

from dezero_conformance.conformance.support import EXACT
from dezero_conformance.reference import stage1 as R

BOOK_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "engines", "step10_book.py")


def load_book():
    spec = importlib.util.spec_from_file_location("step10_book", BOOK_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NoCyclicCollector(unittest.TestCase):
    """Each test runs with the cyclic garbage collector off: only reference counts free."""

    def setUp(self):
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        self.addCleanup(lambda: gc.enable() if was_enabled else None)
        self.addCleanup(gc.collect)


def survivors(engine, drop_after_backward):
    """Build y = square(square(x)) and drop every user reference to the graph; return the
    names of the intermediate objects that are still alive."""
    x = engine.Variable(np.array(3.0))
    a = engine.square(x)
    y = engine.square(a)
    if drop_after_backward:
        y.backward()
    watched = {"a": weakref.ref(a), "a.creator": weakref.ref(a.creator),
               "y": weakref.ref(y), "y.creator": weakref.ref(y.creator)}
    del a, y
    return sorted(name for name, ref in watched.items() if ref() is not None)


class TestGraphIsFreedByReferenceCounting(NoCyclicCollector):

    def test_graph_dies_with_its_last_reference(self):
        for after_backward in (False, True):
            with self.subTest(after_backward=after_backward):
                self.assertEqual(survivors(R, after_backward), [],
                                 "objects kept alive by a reference cycle")

    def test_the_check_sees_the_books_cycle(self):
        # Control: the book's strong Function <-> Variable links keep everything alive.
        self.assertEqual(survivors(load_book(), False), ["a", "a.creator", "y", "y.creator"],
                         "the book's graph should survive until the cyclic collector runs")

    def test_an_intermediate_lives_while_the_output_does(self):
        x = R.Variable(np.array(3.0))
        a = R.square(x)
        y = R.square(a)
        watched = weakref.ref(a)
        del a
        self.assertIs(y.creator.input, watched(), "y's graph must keep its input alive")
        del y
        self.assertIsNone(watched(), "the intermediate outlived the last reference")


class TestOutputLink(NoCyclicCollector):

    def test_output_is_readable_while_the_output_lives(self):
        y = R.square(R.Variable(np.array(3.0)))
        f = y.creator
        self.assertIs(f.output, y, "f.output must be the Variable f returned")
        y.backward()
        self.assertIs(f.output, y, "f.output must survive backward")
        del y
        self.assertIsNone(f.output, "f.output must not keep its output alive")


class TestRepairs(unittest.TestCase):

    def test_type_error_names_the_rejected_type(self):
        for data, name in ((1.0, "float"), (1, "int"), ([1.0], "list"), ((1.0,), "tuple"),
                           ("1.0", "str"), (np.float64(1.0), "float64")):
            with self.subTest(type=name):
                with self.assertRaises(TypeError) as caught:
                    R.Variable(data)
                message = str(caught.exception)
                self.assertIn(f"not {name}:", message, "the message must name the type")
                self.assertIn("np.array(", message, "the message must say how to fix it")
                self.assertNotIn("\n", message, "the message must be one line")

    def test_numerical_diff_works_on_a_0d_input(self):
        x = R.Variable(np.array(2.0))
        got = R.numerical_diff(R.square, x)
        one_element = R.numerical_diff(R.square, R.Variable(np.array([2.0])))
        self.assertEqual(np.ndim(got), 0, f"numerical_diff on a 0-d input gave {got!r}")
        # The same float64 operations as on a 1-element array (S5's 4.000000000004).
        np.testing.assert_allclose(got, one_element[0], rtol=EXACT, atol=EXACT,
                                   err_msg="numerical_diff(square, 2.0) on a 0-d input")
        np.testing.assert_allclose(got, 4.000000000004, rtol=EXACT, atol=EXACT,
                                   err_msg="numerical_diff(square, 2.0) on a 0-d input")
        self.assertIs(type(x.data), np.ndarray, "numerical_diff must leave x as it was")

    def test_base_function_messages_name_the_subclass(self):
        class Half(R.Function):
            pass
        for method in ("forward", "backward"):
            with self.subTest(method):
                with self.assertRaises(NotImplementedError) as caught:
                    getattr(Half(), method)(np.array(1.0))
                self.assertIn(f"Half.{method}", str(caught.exception))

    def test_set_creator_links_the_book_way(self):
        v, f = R.Variable(np.array(1.0)), R.Square()
        v.set_creator(f)
        self.assertIs(v.creator, f)


if __name__ == "__main__":
    unittest.main()
