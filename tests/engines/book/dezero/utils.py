# The kit's test engine in the shape of the book's dezero/utils.py, up to step 46: the graph
# of a Variable as graphviz DOT text (plot_dot_graph writes the text to a .dot file beside
# `to_file` and stops there: it never runs graphviz, so nothing here needs it installed), and
# the array helpers of the tensor functions (sum_to, reshape_sum_backward). Written for this
# project (MIT); see ../SHAPES.md.
import os


def _dot_var(v, verbose=False):
    label = v.name or ''
    if verbose and v.data is not None:
        label += (': ' if v.name else '') + f'{v.shape} {v.dtype}'
    return f'{id(v)} [label="{label}", color=orange, style=filled]\n'


def _dot_func(f):
    text = f'{id(f)} [label="{type(f).__name__}", color=lightblue, style=filled, shape=box]\n'
    for x in f.inputs:
        text += f'{id(x)} -> {id(f)}\n'
    for ref in f.outputs:
        y = ref()
        if y is not None:  # an output nobody holds any more has no node
            text += f'{id(f)} -> {id(y)}\n'
    return text


def get_dot_graph(output, verbose=True):
    """The DOT text of every Function and Variable that `output` was computed from."""
    parts = [_dot_var(output, verbose)]
    todo = [output.creator] if output.creator is not None else []
    seen = set(todo)
    while todo:
        f = todo.pop()
        parts.append(_dot_func(f))
        for x in f.inputs:
            parts.append(_dot_var(x, verbose))
            if x.creator is not None and x.creator not in seen:
                seen.add(x.creator)
                todo.append(x.creator)
    return 'digraph g {\n' + ''.join(parts) + '}\n'


def plot_dot_graph(output, verbose=True, to_file='graph.png'):
    """Writes the graph's DOT text to `to_file` with a .dot suffix and returns that path.

    Render it with graphviz: `dot graph.dot -T png -o graph.png`.
    """
    dot_path = os.path.splitext(to_file)[0] + '.dot'
    with open(dot_path, 'w') as f:
        f.write(get_dot_graph(output, verbose))
    return dot_path


# =============================================================================================
# Helpers of dezero/functions.py (steps 39-40)
# =============================================================================================
def sum_to(x, shape):
    """The ndarray x summed down to `shape`, the shape it was broadcast from: over the axes
    broadcasting put in front, and over those where `shape` has a 1."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead))
    for i, size in enumerate(shape):
        if size == 1:
            axes += (lead + i,)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def reshape_sum_backward(gy, x_shape, axis, keepdims):
    """The gradient gy of sum(x, axis, keepdims), reshaped so that it broadcasts back over x:
    each summed axis is put back as a 1 (keepdims=True left them there already)."""
    ndim = len(x_shape)
    if keepdims or ndim == 0:
        return gy
    if axis is None:
        summed = set(range(ndim))
    else:
        summed = {a % ndim for a in (axis if isinstance(axis, tuple) else (axis,))}
    shape = tuple(1 if i in summed else size for i, size in enumerate(x_shape))
    return gy.reshape(shape)
