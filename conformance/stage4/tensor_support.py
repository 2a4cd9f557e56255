"""What the stage-4 clause groups share: gradients of tensor functions checked input by input
by the suite's own gradient checker, with the gradient's shape and dtype."""
import numpy as np

from dezero_conformance.conformance import gradcheck
from dezero_conformance.conformance.support import Clauses, array_code, sample

__unittest = True

# Inputs are drawn from [-LOW_HIGH, LOW_HIGH], away from 0 where an operand is a divisor.
LOW_HIGH = 1.5
DIVISOR_MIN = 0.5


def draw(seed, shape, dtype=np.float64, divisor=False):
    """Seeded values of a shape (a divisor: |v| >= DIVISOR_MIN), on the engine's copy."""
    a = sample(seed, -LOW_HIGH, LOW_HIGH, tuple(shape), np.dtype(dtype).name).copy()
    if divisor:
        a = np.where(np.abs(a) < DIVISOR_MIN, np.copysign(DIVISOR_MIN, a) + a, a)
    return a.astype(dtype)


class TensorClauses(Clauses):
    """Mixin of helpers (no clauses): the stage-4 groups build on it."""

    def check_inputs(self, expr, arrays, gy=None, seed=0):
        """The engine's gradient of expr (over E, np and the inputs a, b, c ...) with respect to
        each input in turn, the others held as leaves, against the suite's central difference
        (gradcheck); each gradient must have its input's shape and dtype."""
        E = self.engine
        names = "abcd"[:len(arrays)]
        for i, name in enumerate(names):
            others = [n for n in names if n != name]
            held = {n: arrays[names.index(n)] for n in others}
            body = eval(f"lambda {', '.join(names)}: {expr}", {"E": E, "np": np})  # suite's text

            def fn(v, body=body, name=name, held=held):
                leaves = {n: E.leaf(a.copy()) for n, a in held.items()}
                return body(**leaves, **{name: v})
            text = (f"lambda {name}: (lambda {', '.join(names)}: {expr})("
                    + ", ".join(name if n == name else f"E.leaf({array_code(held[n])})"
                                for n in names) + ")")
            fn.code = ("f", (f"f = {text}",))
            x = arrays[i]
            shapes = ", ".join(f"{n} {arrays[k].dtype} {arrays[k].shape}"
                               for k, n in enumerate(names))
            with self.subTest(f"d/d{name} of {expr} ({shapes})"):
                seed_ = gy if gy is not None else self.ones_unless_seeded(fn, [x])
                _, gx = self.grad(fn, x.copy(), None if seed_ is None else seed_.copy())
                self.check_like(gx, x, f"the gradient of {name} in {expr}")
                report = gradcheck.check_gradient(
                    E, fn, x.copy(), None if gy is None else gy.copy(), seed=seed,
                    engine_spec=self.spec or E.NAME, fn_text=text,
                    x_text=array_code(x) if x.size <= 32 else None,
                    gy_text=None if gy is None or gy.size > 32 else array_code(gy))
                if not report.ok:
                    self.fail(f"{self.clause}: {report.message}")

    def check_like(self, g, x, what):
        """g has x's shape, and x's dtype, or the one numpy promotes x's to where the book's
        0-d constants meet it (as_array(2): float32 becomes float64 under numpy 2's NEP 50,
        stays float32 under numpy 1). An engine without float64 may give float32."""
        g, x = np.asarray(g), np.asarray(x)
        if g.shape != x.shape:
            self.fail(f"{self.clause}: {what} has shape {g.shape}; a gradient has its input's "
                      f"shape {x.shape}")
        allowed = {x.dtype, (x * np.array(2)).dtype}
        if not self.has("float64"):
            allowed.add(np.dtype(np.float32))
        if g.dtype not in allowed:
            self.fail(f"{self.clause}: {what} has dtype {g.dtype}; a gradient has its input's "
                      f"dtype {x.dtype}" + (f" (or {(x * np.array(2)).dtype}, as numpy "
                                            f"{np.__version__} promotes it with a 0-d constant)"
                                            if len(allowed) > 1 else ""))

    def attach(self, layer, name, value):
        """Give layer the attribute name = value (a Parameter or Layer), registered as the
        engine ordinarily registers one (the adapter's optional register: chainer assigns
        under init_scope); the book's way, plain assignment, is S57's to judge."""
        register = getattr(self.engine, "register", None)
        if register is None:
            setattr(layer, name, value)
        else:
            register(layer, name, value)

    def ones_unless_seeded(self, fn, arrays):
        """None where the engine seeds a backward itself; else the ones the book's backward
        seeds, shaped like fn's output (one forward more)."""
        if self.has("implicit_seed"):
            return None
        E = self.engine
        y = np.asarray(E.value(fn(*(E.leaf(a.copy()) for a in arrays))))
        return np.ones(y.shape, dtype=y.dtype)

    def grads_of(self, expr, arrays, gy=None):
        """(y, [gradient of each input]) of expr over the inputs a, b, ... (seeded by gy, or
        by the engine's ones)."""
        names = "abcd"[:len(arrays)]
        fn = self.function(", ".join(names), expr)
        if gy is None:
            gy = self.ones_unless_seeded(fn, arrays)
        return self.grads(fn, [a.copy() for a in arrays], None if gy is None else gy.copy())
