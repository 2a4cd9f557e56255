"""The shapes of tensor graphs (stage 4): which an input may have, which each tensor operation
may take its value to, and which values combine (numpy's broadcasting, matmul's inner
axis). Pure functions of shapes (tuples), cached: the generator asks them at every node."""
import functools
import itertools
import math

MAX_ELEMENTS = 24  # no value of a tensor graph is larger
# x0's shape: mixed ranks, size-1 axes, a row and a column against (2, 3), matmul pairs
# ((2, 3) @ (3, 2), (2, 3) @ (3, 4), (2, 1) @ (1, 3), a square (3, 3) with itself) and 3-d
# values for the transposes (a stack of (2, 3) matrices, and one with a size-1 axis)
INPUT_SHAPES = ((), (1,), (3,), (2, 3), (2, 1), (1, 3), (3, 2), (3, 3), (3, 4), (2, 3, 4),
                (4, 2, 3), (2, 1, 3))
# what reshape, broadcast_to and sum_to may target: up to three axes, at most MAX_ELEMENTS
TARGETS = tuple(sorted((s for d in range(4) for s in itertools.product((1, 2, 3, 4, 6, 12, 24),
                                                                       repeat=d)
                        if math.prod(s) <= MAX_ELEMENTS), key=lambda s: (len(s), s)))
# sum's axis for each number of axes: None, an int, a negative int, a tuple (unsorted too)
SUM_AXES = {0: (None,), 1: (None, 0, -1, (0,)),
            2: (None, 0, 1, -1, -2, (0, 1), (1, 0), (-1,)),
            3: (None, 0, 1, 2, -1, -3, (0, 2), (2, 1), (-1, 0), (0, 1, 2), (1,))}
# transpose's axes: None (all reversed) and permutations, negative axes too; on 3-d most are
# not their own inverse (a backward that transposes by the same axes gets them wrong)
PERMUTATIONS = {0: (None,), 1: (None, (0,)), 2: (None, (1, 0), (0, 1), (-1, 0)),
                3: (None, (1, 2, 0), (2, 0, 1), (-1, 0, 1), (1, -1, 0), (-2, -1, 0), (1, 0, 2),
                    (0, 2, 1), (2, 1, 0))}


@functools.cache
def joint(a, b):
    """The shape numpy broadcasts shapes a and b to, or None where they do not broadcast."""
    n = max(len(a), len(b))
    out = []
    for x, y in zip((1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(out)


def joins(a, b, broadcast):
    """Whether values of shapes a and b may meet in + - * / (or an ndarray constant of shape
    a with a value of shape b): the same shape, or with broadcast (step 40) any that
    broadcast, to at most MAX_ELEMENTS."""
    if a == b:
        return True
    both = joint(a, b) if broadcast else None
    return both is not None and math.prod(both) <= MAX_ELEMENTS


@functools.cache
def related(shape, broadcast, matmul):
    """The shapes another input of a graph whose x0 has shape may have: the same, one that
    broadcasts with it (broadcast), or a 2-d one it multiplies with either way (matmul)."""
    return tuple(s for s in INPUT_SHAPES if joins(s, shape, broadcast) or (
        matmul and len(s) == len(shape) == 2 and (s[0] == shape[1] or s[1] == shape[0])))


@functools.cache
def constant_shapes(shape, broadcast):
    """The shapes of an ndarray constant on either side of + or * with a value of shape."""
    return tuple(s for s in INPUT_SHAPES if joins(s, shape, broadcast)) if broadcast else (shape,)


@functools.cache
def reshapes(shape):
    """reshape's targets from shape: the other shapes of its size."""
    size = math.prod(shape)
    return tuple(s for s in TARGETS if math.prod(s) == size and s != shape)


@functools.cache
def widenings(shape):
    """broadcast_to's targets from shape: the shapes it broadcasts to."""
    return tuple(s for s in TARGETS if s != shape and joint(shape, s) == s)


@functools.cache
def narrowings(shape):
    """sum_to's targets from shape: the shapes that broadcast to it."""
    return tuple(s for s in TARGETS if s != shape and joint(s, shape) == shape)
