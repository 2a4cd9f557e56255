from setuptools import setup

setup(
    name="dezero-conformance",
    version="0.1.0",
    description="A conformance kit for automatic-differentiation engines: DeZero stage 1 "
                "(Deep Learning from Scratch 3, steps 1-10)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=["reference", "adapters", "conformance"],
    install_requires=["numpy"],
    classifiers=["Programming Language :: Python :: 3", "Topic :: Software Development :: Testing"],
)
