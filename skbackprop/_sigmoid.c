/*
 * The logistic sigmoid h(b) = 1 / (1 + exp(-b)), in place, vectorised.
 *
 * The sigmoid over the N x M hidden inputs is the largest elementwise cost of
 * an epoch. SciPy's expit calls the scalar exp once per value (about 8 to 11
 * ns per float64 value on this project's benchmark machine); written as a
 * plain loop and compiled with OpenMP SIMD, GCC calls glibc's vector exp
 * (libmvec) four values at a time instead, about 4x quicker on the same
 * machine (benchmarks/sigmoid.py measures it). Where libmvec is not there
 * (not glibc, not x86-64) the loop still compiles, with the scalar exp.
 *
 * The results agree with scipy.special.expit to a few units in the last
 * place, for every input including +-inf (1 and 0) and nan (nan);
 * tests/test_sigmoid.py checks it.
 *
 * The loop runs without the GIL, so row blocks on several threads compute
 * their sigmoids at the same time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#if defined(__GLIBC__) && defined(__x86_64__) && defined(__GNUC__)
/* glibc ships SIMD variants of exp and expf in libmvec; its headers declare
 * them only under -ffast-math, whose other licences (no inf, no nan) we do
 * not want, so declare the variants here. */
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
float expf(float);
/* One build for every x86-64 CPU: the AVX2 clone (4 doubles per call of the
 * vector exp) is chosen at load time where the CPU has AVX2. */
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES
static void sigmoid_double(double *b, Py_ssize_t n)
{
#pragma omp simd
    for (Py_ssize_t i = 0; i < n; i++) {
        b[i] = 1.0 / (1.0 + exp(-b[i]));  /* z = h(b) */
    }
}

VECTOR_CLONES
static void sigmoid_float(float *b, Py_ssize_t n)
{
#pragma omp simd
    for (Py_ssize_t i = 0; i < n; i++) {
        b[i] = 1.0f / (1.0f + expf(-b[i]));
    }
}

static PyObject *
sigmoid_inplace(PyObject *module, PyObject *array)
{
    Py_buffer view;
    if (PyObject_GetBuffer(array, &view,
                           PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    const char *format = view.format;
    if (format[0] == '=' || format[0] == '@') {
        format++;
    }
    int is_double = format[0] == 'd' && format[1] == '\0';
    int is_float = format[0] == 'f' && format[1] == '\0';
    if (!is_double && !is_float) {
        PyErr_Format(PyExc_TypeError,
                     "sigmoid_inplace needs native float32 or float64 values, "
                     "got buffer format '%s'", view.format);
        PyBuffer_Release(&view);
        return NULL;
    }
    Py_ssize_t n = view.len / view.itemsize;
    Py_BEGIN_ALLOW_THREADS
    if (is_double) {
        sigmoid_double((double *)view.buf, n);
    }
    else {
        sigmoid_float((float *)view.buf, n);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sigmoid_inplace", sigmoid_inplace, METH_O,
     "sigmoid_inplace(array)\n--\n\n"
     "Overwrite a C-contiguous float32 or float64 array with 1 / (1 + exp(-b))."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_sigmoid",
    "The logistic sigmoid, compiled and vectorised.",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__sigmoid(void)
{
    return PyModule_Create(&module);
}
