# The kit's test engine in the shape of the book's dezero/__init__.py: `is_simple_core` picks
# the core the package exports (core_simple.py for steps 23-32, core.py from step 33); like the
# book's finished repository, it is set to False. From step 44 on it exports Parameter, Layer
# and Model too, and imports the modules of layers and optimizers. Written for this project
# (MIT); see ../SHAPES.md.
is_simple_core = False

if is_simple_core:
    from dezero.core_simple import Variable
    from dezero.core_simple import Function
    from dezero.core_simple import using_config
    from dezero.core_simple import no_grad
    from dezero.core_simple import as_array
    from dezero.core_simple import as_variable
    from dezero.core_simple import setup_variable
    from dezero.core_simple import Config
else:
    from dezero.core import Variable
    from dezero.core import Parameter
    from dezero.core import Function
    from dezero.core import using_config
    from dezero.core import no_grad
    from dezero.core import as_array
    from dezero.core import as_variable
    from dezero.core import setup_variable
    from dezero.core import Config
    from dezero.layers import Layer
    from dezero.models import Model

    import dezero.functions
    import dezero.layers
    import dezero.optimizers
    import dezero.utils

setup_variable()
__version__ = '0.0.46'
