"""Stage 3 of the contract (book steps 25-36): sin, cos, tanh, graphs built by loops,
optimisation loops, and higher-order derivatives (double backprop)."""
