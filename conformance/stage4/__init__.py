"""Stage 4 of the contract (book steps 37-46): tensors, reshape and transpose, sum,
broadcasting, matmul, mean squared error, linear layers, models and optimizers (S46-S62)."""
