# The kit's test engine in the shape of the book's dezero/models.py, up to step 45: Model, a
# Layer that holds Layers (plot writes its graph as DOT text), and MLP, fully connected layers
# with an activation after every one but the last. Written for this project (MIT); see
# ../SHAPES.md.
from dezero import Layer
from dezero import utils
import dezero.functions as F
import dezero.layers as L


class Model(Layer):
    def plot(self, *inputs, to_file='model.png'):
        y = self.forward(*inputs)
        return utils.plot_dot_graph(y, verbose=True, to_file=to_file)


class MLP(Model):
    def __init__(self, fc_output_sizes, activation=F.sigmoid):
        super().__init__()
        self.activation = activation
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = L.Linear(out_size)
            setattr(self, 'l' + str(i), layer)
            self.layers.append(layer)

    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = self.activation(layer(x))
        return last(x)
