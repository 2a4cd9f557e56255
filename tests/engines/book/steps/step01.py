# A test engine of the conformance kit, in the shape of the book's steps/step01.py: a box
# for an array. Written for this project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data


# --- demo ---
box = Variable(np.array(1.5))
print('data:', box.data)

box.data = np.array([[1.0, 2.0], [3.0, 4.0]])
print('reassigned:', box.data.shape)
print(box.data)
