import re

from setuptools import find_packages, setup

# The checkout's top-level packages, installed inside the one import name (see
# dezero_conformance/__init__.py for how they find each other in the checkout).
SUBPACKAGES = ("adapters", "conformance", "reference")
VERSION = re.search(r'^__version__ = "([^"]+)"$',
                    open("dezero_conformance/__init__.py", encoding="utf-8").read(), re.M).group(1)

setup(
    name="dezero-conformance",
    version=VERSION,
    description="A conformance kit for automatic-differentiation engines: DeZero stages 1 "
                "to 3 (Deep Learning from Scratch 3, steps 1-36, higher-order derivatives)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE"],
    author="the dezero-conformance authors",
    # The project's own home is not named here until it has a public address.
    project_urls={
        "The book's code (the contract's source)":
            "https://github.com/oreilly-japan/deep-learning-from-scratch-3",
        "DeZero": "https://github.com/dezero/dezero",
    },
    python_requires=">=3.9",
    # One top-level import name: `adapters`, `conformance`, `reference` and `matrix` are other
    # distributions' on the package index, and installing them would overwrite those.
    packages=["dezero_conformance"] + [
        f"dezero_conformance.{p}" for p in find_packages(include=[f"{s}{tail}" for s in SUBPACKAGES
                                                                  for tail in ("", ".*")])],
    package_dir={"dezero_conformance": "dezero_conformance",
                 **{f"dezero_conformance.{s}": s for s in SUBPACKAGES}},
    package_data={"dezero_conformance.conformance": ["expected/*.txt"]},
    install_requires=["numpy"],
    entry_points={
        "console_scripts": ["dezero-conformance = dezero_conformance.cli:main"],
        # pytest's plugin (options --dezero-engine, --dezero-step, ...): only pytest loads it
        "pytest11": ["dezero_conformance = dezero_conformance.pytest_plugin"],
    },
    # One entry per engine adapter: `pip install .[torch]`. Pins install on the Python
    # versions listed in .github/workflows/engines.yml; see the adapter's docstring for why.
    extras_require={
        "dezero": ["dezero==0.0.13", 'numpy<1.24; python_version < "3.12"', "matplotlib"],
        "torch": ["torch==2.13.0"],
        "autograd": ['autograd==1.9.1; python_version >= "3.10"',
                     'autograd==1.8.0; python_version < "3.10"'],
        "mygrad": ['mygrad==2.5.0; python_version >= "3.11"',
                   'mygrad==2.4.0; python_version < "3.11"'],
        "micrograd": ["micrograd==0.1.0"],
        "chainer": ["chainer==7.8.1", "numpy<2", "setuptools<74"],
        "jax": ['jax==0.12.0.1; python_version >= "3.12"',
                'jaxlib==0.12.0.1; python_version >= "3.12"',
                'jax==0.10.2; python_version == "3.11"', 'jaxlib==0.10.2; python_version == "3.11"',
                'jax==0.6.2; python_version == "3.10"', 'jaxlib==0.6.2; python_version == "3.10"',
                'jax==0.4.30; python_version < "3.10"', 'jaxlib==0.4.30; python_version < "3.10"'],
        "tinygrad": ['tinygrad==0.14.0; python_version >= "3.11"'],
        "mlx": ['mlx[cpu]==0.32.4; python_version >= "3.10"'],
        "tensorflow": ['tensorflow-cpu==2.21.0; python_version >= "3.10"',
                       'tensorflow-cpu==2.20.0; python_version < "3.10"'],
        "paddle": ["paddlepaddle==3.3.1"],
    },
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Developers",
        "Intended Audience :: Education",
        "License :: OSI Approved :: MIT License",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in range(9, 14)),
        "Topic :: Scientific/Engineering :: Mathematics",
        "Topic :: Software Development :: Testing",
    ],
)
