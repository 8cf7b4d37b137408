"""Which elementwise path runs: the compiled kernels, or NumPy and SciPy.

The kernels of ``_kernels.c`` are built at install time where a C compiler is
found. Where they are missing, or built but broken, the same arithmetic runs
through NumPy and SciPy's ``expit``, 2 to 4 times slower in the sigmoid
(``benchmarks/kernels.py``). That is said once, on import, with the cause,
unless the user turned the kernels off on purpose with the environment
variable ``SKBACKPROP_DISABLE_KERNELS=1`` (which the test suite uses to run
everything on the NumPy path too).
"""

import importlib
import importlib.util
import os
import warnings

DISABLE_VARIABLE = "SKBACKPROP_DISABLE_KERNELS"


class KernelsWarning(UserWarning):
    """The compiled kernels are missing or broken: the slower path runs."""


def load_kernels():
    """The compiled module, or None with the reason (warned unless asked).

    Returns
    -------
    kernels : module or None
        ``skbackprop._kernels`` when it imports.

    reason : str or None
        Why the NumPy path runs, or None when the kernels do.
    """
    if os.environ.get(DISABLE_VARIABLE, "") not in ("", "0"):
        return None, f"turned off by the environment ({DISABLE_VARIABLE}=1)"
    spec = importlib.util.find_spec("skbackprop._kernels")
    try:
        return importlib.import_module("skbackprop._kernels"), None
    except ImportError as error:
        if spec is None:
            reason = (
                "not built: no C compiler was found when skbackprop was "
                "installed (or its build failed)"
            )
        else:
            reason = f"built but broken ({spec.origin}): {error}"
    warnings.warn(
        f"skbackprop's compiled kernels are {reason}. The network trains and "
        "predicts with NumPy and SciPy instead, the same results 2 to 4 times "
        "slower in the sigmoid. Reinstall with a C compiler to get them, or "
        f"set {DISABLE_VARIABLE}=1 to choose the NumPy path without this "
        "warning.",
        KernelsWarning,
        stacklevel=2,
    )
    return None, reason


def configuration(kernels, reason):
    """What runs, as a dict: the elementwise path, the build, BLAS, threads."""
    from threadpoolctl import threadpool_info

    from ._row_blocks import _usable_cores

    info = {"elementwise": "compiled kernels" if kernels else "NumPy and SciPy"}
    if kernels is not None:
        info["kernels"] = kernels.__file__
        info.update(kernels.build_info())
    else:
        info["reason"] = reason
    info["blas"] = [
        f"{pool['internal_api']} {pool.get('version')} ({pool['num_threads']} threads)"
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    ]
    info["cores"] = _usable_cores()
    return info
