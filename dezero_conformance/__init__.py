"""A conformance kit for automatic-differentiation engines, judged by the contract of DeZero
(Deep Learning from Scratch 3). Its one top-level import name holds everything it installs:

adapters     one plain module per engine, the only way the suite reaches an engine
conformance  the suite: `python -m unittest discover dezero_conformance.conformance`
             (in a checkout, `python -m unittest discover conformance`)
reference    the kit's reference engines, one per stage of the book
expected     each engine's expected failures, <engine>.txt, read by the suite
"""
