"""The optional compiled kernels, with flags for the compiler at hand.

Everything else about the package is in pyproject.toml. The kernels
(skbackprop/_kernels.c, with the vectorisable exp of _vector_exp.h) need only
a C compiler and the C library's log; where the build fails the package
installs without them and computes the same with NumPy and SciPy (it says so
on import). Set SKBACKPROP_NO_BUILD=1 to skip the build on purpose.
"""

import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# GCC and Clang: full optimisation, no errno from libm and no trapping
# floating-point exceptions (without them GCC 12 would not if-convert the
# clamps of the exp, and the sigmoid loop ran scalar, 2.4 times slower than
# SciPy's expit), OpenMP's simd pragmas without the OpenMP runtime. MSVC:
# optimisation with strict IEEE semantics; its vectoriser takes the loops
# as they are.
FLAGS = {
    "unix": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd"],
    "mingw32": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd"],
    "msvc": ["/O2", "/fp:precise"],
}


class BuildKernels(build_ext):
    """build_ext choosing the compile flags and libraries per compiler."""

    def build_extensions(self):
        kind = self.compiler.compiler_type
        for extension in self.extensions:
            extension.extra_compile_args = FLAGS.get(kind, [])
            extension.libraries = [] if kind == "msvc" else ["m"]
        super().build_extensions()


kernels = Extension(
    "skbackprop._kernels",
    sources=["skbackprop/_kernels.c"],
    depends=["skbackprop/_vector_exp.h"],
    optional=True,  # no compiler: a package without them, never a failed install
)

setup(
    ext_modules=[] if os.environ.get("SKBACKPROP_NO_BUILD") else [kernels],
    cmdclass={"build_ext": BuildKernels},
)
