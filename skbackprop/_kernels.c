/*
 * Compiled elementwise kernels of the training pass, each one pass over its
 * arrays where NumPy needs two to nine calls (see skbackprop/_network.py,
 * which falls back to those NumPy calls where this module was not built):
 *
 *   sigmoid_inplace(B)              z = h(b) = 1 / (1 + exp(-b))
 *   times_sigmoid_slope(D, Z, sums) d <- d z (1 - z), that is d h'(b);
 *                                   sums_j = sum_n d_nj (the bias gradient)
 *   softmax_cross_entropy(A, pT, p, sums)
 *                                   E = sum_n p_n (log S_n - sum_k t_nk a_nk),
 *                                   A <- p_n (y_nk - t_nk)   (the book's delta2),
 *                                   sums_k = sum_n of the new a_nk
 *
 * and the solver's updates between two passes, each one pass over the
 * weights where NumPy needs three to nine calls (a tenth of a mini-batch
 * step; skbackprop/_solvers.py and _coordinates.py fall back to NumPy):
 *
 *   adam_step(theta, m, s, g, ...)  Adam's moments and step, in place
 *   standardised_to_raw(...)        theta = A theta_s
 *   raw_to_standardised_gradient(...) A^T dE/dtheta
 *
 * The sigmoid is the largest elementwise cost of an epoch. SciPy's expit
 * calls the scalar exp once per value; these loops call an exp written in
 * plain C arithmetic (_vector_exp.h), which the compiler vectorises, so the
 * module needs nothing beyond the C library's log: the same code in every
 * wheel, GCC, Clang or MSVC. The results agree with SciPy's expit to a few
 * units in the last place, +-inf and nan included (tests/test_kernels.py).
 *
 * Every kernel runs without the GIL, so that row blocks on several threads
 * run theirs at the same time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

#include "_vector_exp.h"

#if defined(__GLIBC__) && defined(__x86_64__) && defined(__clang__)            \
    && __clang_major__ >= 14
/* One build for every x86-64 CPU: a second version of each loop for CPUs
 * with AVX2, chosen at load time (through glibc's ifunc; elsewhere the loops
 * are built for the baseline, SSE2 on x86-64, NEON on arm64). Clang 14 ran
 * an "arch=x86-64-v3" clone slower than this one. */
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#define VECTOR_CLONES_NAME "avx2, default"
#elif defined(__GLIBC__) && defined(__x86_64__) && defined(__GNUC__)
/* GCC: the x86-64-v3 level (AVX2 with FMA), which ran the sigmoid twice as
 * fast as an AVX2 clone without FMA (benchmarks/kernels.py, GCC 12). */
#define VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#define VECTOR_CLONES_NAME "x86-64-v3, default"
#else
#define VECTOR_CLONES
#define VECTOR_CLONES_NAME "none"
#endif

#if defined(__clang__)
#define COMPILER_NAME "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER_NAME "gcc " __VERSION__
#elif defined(_MSC_VER)
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define COMPILER_NAME "msvc " STRINGIFY(_MSC_FULL_VER)
#else
#define COMPILER_NAME "unknown"
#endif

/* Loops to vectorise: OpenMP SIMD where the compiler speaks it (GCC, Clang
 * with -fopenmp-simd); elsewhere a plain loop. */
#if defined(__GNUC__)
#define SIMD_LOOP _Pragma("omp simd")
#else
#define SIMD_LOOP
#endif
#if defined(_MSC_VER)
#define restrict __restrict
#endif

/* ---- the loops, for double and float ---------------------------------- */

#define DEFINE_KERNELS(T, EXP, SIGMOID, LOG, SUFFIX)                                 \
    VECTOR_CLONES                                                           \
    static void sigmoid_##SUFFIX(T *b, Py_ssize_t n)                        \
    {                                                                       \
        SIMD_LOOP                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                \
            b[i] = SIGMOID(b[i]);                                           \
        }                                                                   \
    }                                                                       \
                                                                            \
    /* d <- d z (1 - z), and sums[j * stride] = sum_n d_nj, summed in     */ \
    /* `acc` (width values, contiguous) so that the rows vectorise.       */ \
    VECTOR_CLONES                                                           \
    static void times_slope_##SUFFIX(T *restrict d, const T *restrict z,    \
                                     Py_ssize_t rows, Py_ssize_t width,     \
                                     T *restrict acc, T *sums,              \
                                     Py_ssize_t stride)                     \
    {                                                                       \
        for (Py_ssize_t j = 0; j < width; j++) {                            \
            acc[j] = 0;                                                     \
        }                                                                   \
        for (Py_ssize_t n = 0; n < rows; n++) {                             \
            T *restrict d_n = d + n * width;                                \
            const T *restrict z_n = z + n * width;                          \
            SIMD_LOOP                                                       \
            for (Py_ssize_t j = 0; j < width; j++) {                        \
                d_n[j] = d_n[j] * z_n[j] * ((T)1 - z_n[j]);                 \
                acc[j] += d_n[j];                                           \
            }                                                               \
        }                                                                   \
        for (Py_ssize_t j = 0; j < width; j++) {                            \
            sums[j * stride] = acc[j];                                      \
        }                                                                   \
    }                                                                       \
                                                                            \
    /* a <- exp(a), vectorised. */                                          \
    VECTOR_CLONES                                                           \
    static void exp_##SUFFIX(T *a, Py_ssize_t n)                            \
    {                                                                       \
        SIMD_LOOP                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                \
            a[i] = EXP(a[i]);                                               \
        }                                                                   \
    }                                                                       \
                                                                            \
    /* Returns sum_n (p_n log S_n - sum_k pT_nk a_nk); A <- p_n y - pT;     \
     * sums[k * stride] = sum_n of the new A. Three passes, so that the     \
     * exp of the middle one runs over all n K values as one vector loop. */\
    static double softmax_cross_entropy_##SUFFIX(                           \
        T *a, const T *pT, const T *p, Py_ssize_t rows, Py_ssize_t K,       \
        T *sums, Py_ssize_t stride)                                         \
    {                                                                       \
        double loss = 0.0;                                                  \
        /* a_nk - max_l a_nl, which changes neither y nor E and keeps every \
         * exp finite; and the loss's -sum_n p_n sum_k t_nk a_nk. */        \
        for (Py_ssize_t n = 0; n < rows; n++) {                             \
            T *a_n = a + n * K;                                             \
            const T *pt_n = pT + n * K;                                     \
            T largest = a_n[0];                                             \
            for (Py_ssize_t k = 1; k < K; k++) {                            \
                largest = a_n[k] > largest ? a_n[k] : largest;              \
            }                                                               \
            for (Py_ssize_t k = 0; k < K; k++) {                            \
                a_n[k] -= largest;                                          \
                loss -= (double)pt_n[k] * a_n[k];                           \
            }                                                               \
        }                                                                   \
        exp_##SUFFIX(a, rows * K);                                          \
        for (Py_ssize_t k = 0; k < K; k++) {                                \
            sums[k * stride] = 0;                                           \
        }                                                                   \
        for (Py_ssize_t n = 0; n < rows; n++) {                             \
            T *a_n = a + n * K;                                             \
            const T *pt_n = pT + n * K;                                     \
            T S = 0; /* S_n = sum_k exp(a_nk) */                            \
            for (Py_ssize_t k = 0; k < K; k++) {                            \
                S += a_n[k];                                                \
            }                                                               \
            loss += (double)p[n] * LOG(S); /* + sum_n p_n log S_n */        \
            T weight_over_S = p[n] / S; /* y_nk = exp(a_nk) / S_n */        \
            for (Py_ssize_t k = 0; k < K; k++) {                            \
                a_n[k] = a_n[k] * weight_over_S - pt_n[k]; /* p_n (y - t) */\
                sums[k * stride] += a_n[k];                                 \
            }                                                               \
        }                                                                   \
        return loss;                                                        \
    }

DEFINE_KERNELS(double, vexp_double, vsigmoid_double, log, double)
DEFINE_KERNELS(float, vexp_float, vsigmoid_float, logf, float)

/* ---- the whole pass of a small network, in one call --------------------- */

/* For the book's network (N = 100, D = 2, M = 2, K = 3) an epoch of the
 * NumPy path is a few dozen calls on arrays of a few hundred values: the
 * calls cost more than the arithmetic. This is the same forward and
 * backward pass (skbackprop/_network.py, backpropagate) in one call, its
 * products as plain loops and its elementwise steps the kernels above.
 * theta and gradient are laid out in the book's order: W (M x (D + 1)),
 * then V (K x (M + 1)), each bias last. scratch holds N (2 M + K) + M
 * values. Returns sum_n p_n (log S_n - sum_k t_nk a_nk); writes dE/dtheta
 * over gradient. */
#define DEFINE_SMALL_NETWORK(T, SUFFIX)                                      \
    static double small_network_pass_##SUFFIX(                               \
        const T *theta, const T *X, const T *pT, const T *p, Py_ssize_t N,   \
        Py_ssize_t D, Py_ssize_t M, Py_ssize_t K, T *gradient, T *scratch)   \
    {                                                                        \
        const T *W = theta, *V = theta + M * (D + 1);                        \
        T *dW = gradient, *dV = gradient + M * (D + 1);                      \
        T *Z = scratch, *A = Z + N * M, *delta1 = A + N * K;                 \
        T *acc = delta1 + N * M;                                             \
        /* Forward: b_nj = sum_i w_ji x_ni + w_j,bias, z = h(b) (7-10) */    \
        for (Py_ssize_t n = 0; n < N; n++) {                                 \
            for (Py_ssize_t j = 0; j < M; j++) {                             \
                const T *w_j = W + j * (D + 1);                              \
                T b = w_j[D];                                                \
                for (Py_ssize_t i = 0; i < D; i++) {                         \
                    b += w_j[i] * X[n * D + i];                              \
                }                                                            \
                Z[n * M + j] = b;                                            \
            }                                                                \
        }                                                                    \
        sigmoid_##SUFFIX(Z, N * M);                                          \
        /* a_nk = sum_j v_kj z_nj + v_k,bias */                              \
        for (Py_ssize_t n = 0; n < N; n++) {                                 \
            for (Py_ssize_t k = 0; k < K; k++) {                             \
                const T *v_k = V + k * (M + 1);                              \
                T a = v_k[M];                                                \
                for (Py_ssize_t j = 0; j < M; j++) {                         \
                    a += v_k[j] * Z[n * M + j];                              \
                }                                                            \
                A[n * K + k] = a;                                            \
            }                                                                \
        }                                                                    \
        /* The loss (7-18); A <- delta2 = p_n (y - t); dE/dv_k,bias. */      \
        double loss = softmax_cross_entropy_##SUFFIX(A, pT, p, N, K, dV + M, \
                                                     M + 1);                 \
        /* dE/dv_kj = sum_n delta2_nk z_nj;                                  \
         * delta1_nj = sum_k v_kj delta2_nk, before the slope */             \
        for (Py_ssize_t k = 0; k < K; k++) {                                 \
            for (Py_ssize_t j = 0; j < M; j++) {                             \
                dV[k * (M + 1) + j] = 0;                                     \
            }                                                                \
        }                                                                    \
        for (Py_ssize_t n = 0; n < N; n++) {                                 \
            for (Py_ssize_t j = 0; j < M; j++) {                             \
                delta1[n * M + j] = 0;                                       \
            }                                                                \
            for (Py_ssize_t k = 0; k < K; k++) {                             \
                T delta2 = A[n * K + k];                                     \
                const T *v_k = V + k * (M + 1);                              \
                T *dv_k = dV + k * (M + 1);                                  \
                for (Py_ssize_t j = 0; j < M; j++) {                         \
                    dv_k[j] += delta2 * Z[n * M + j];                        \
                    delta1[n * M + j] += v_k[j] * delta2;                    \
                }                                                            \
            }                                                                \
        }                                                                    \
        /* delta1 <- h'(b) delta1, h'(b) = z (1 - z); dE/dw_j,bias */        \
        times_slope_##SUFFIX(delta1, Z, N, M, acc, dW + D, D + 1);           \
        /* dE/dw_ji = sum_n delta1_nj x_ni */                                \
        for (Py_ssize_t j = 0; j < M; j++) {                                 \
            for (Py_ssize_t i = 0; i < D; i++) {                             \
                dW[j * (D + 1) + i] = 0;                                     \
            }                                                                \
        }                                                                    \
        for (Py_ssize_t n = 0; n < N; n++) {                                 \
            for (Py_ssize_t j = 0; j < M; j++) {                             \
                T d = delta1[n * M + j];                                     \
                T *dw_j = dW + j * (D + 1);                                  \
                for (Py_ssize_t i = 0; i < D; i++) {                         \
                    dw_j[i] += d * X[n * D + i];                             \
                }                                                            \
            }                                                                \
        }                                                                    \
        return loss;                                                         \
    }

DEFINE_SMALL_NETWORK(double, double)
DEFINE_SMALL_NETWORK(float, float)

/* ---- the solver's updates, for double and float ------------------------ */

/* One operation a statement, in NumPy's order, so that the rounding is the
 * NumPy path's wherever no fused multiply-add is formed (the x86-64
 * baseline these are built for has none). */
#define DEFINE_UPDATES(T, SQRT, SUFFIX)                                       \
    /* Adam: m <- b1 m + (1 - b1) g, s <- b2 s + ((g g) (1 - b2)),          */ \
    /* theta <- theta - (alpha_t m) / (sqrt(s) + epsilon).                  */ \
    static void adam_##SUFFIX(T *restrict theta, T *restrict m,              \
                              T *restrict s, const T *restrict g,            \
                              Py_ssize_t n, T alpha_t, T b1, T c1, T b2,     \
                              T c2, T epsilon)                               \
    {                                                                       \
        SIMD_LOOP                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                \
            T gi = g[i];                                                    \
            T mi = m[i] * b1;                                               \
            T mg = c1 * gi;                                                 \
            mi = mi + mg;                                                   \
            T si = s[i] * b2;                                               \
            T sg = gi * gi;                                                 \
            sg = sg * c2;                                                   \
            si = si + sg;                                                   \
            T root = SQRT(si);                                              \
            root = root + epsilon;                                          \
            T step = alpha_t * mi;                                          \
            step = step / root;                                             \
            m[i] = mi;                                                      \
            s[i] = si;                                                      \
            theta[i] = theta[i] - step;                                     \
        }                                                                   \
    }                                                                       \
                                                                            \
    /* theta = A theta_s: w_ji = ws_ji / s_i, w_j,bias = ws_j,bias -       */ \
    /* sum_i w_ji m_i (summed in order), V copied. out may be theta_s.     */ \
    static void to_raw_##SUFFIX(T *out, const T *theta_s, const T *mean,     \
                                const T *scale, Py_ssize_t D, Py_ssize_t M,  \
                                Py_ssize_t size)                             \
    {                                                                       \
        for (Py_ssize_t j = 0; j < M; j++) {                                \
            const T *ws_j = theta_s + j * (D + 1);                          \
            T *w_j = out + j * (D + 1);                                     \
            T bias = ws_j[D];                                               \
            T shift = 0;                                                    \
            for (Py_ssize_t i = 0; i < D; i++) {                            \
                T w = ws_j[i] / scale[i];                                   \
                T term = w * mean[i];                                       \
                shift = shift + term;                                       \
                w_j[i] = w;                                                 \
            }                                                               \
            w_j[D] = bias - shift;                                          \
        }                                                                   \
        if (out != theta_s) {                                               \
            memcpy(out + M * (D + 1), theta_s + M * (D + 1),                \
                   (size - M * (D + 1)) * sizeof(T));                       \
        }                                                                   \
    }                                                                       \
                                                                            \
    /* dE/dtheta_s = A^T dE/dtheta: (dE/dw_ji - dE/dw_j,bias m_i) / s_i,   */ \
    /* the biases' and V's copied. out may be gradient.                    */ \
    static void to_standardised_##SUFFIX(T *out, const T *g, const T *mean,  \
                                         const T *scale, Py_ssize_t D,       \
                                         Py_ssize_t M, Py_ssize_t size)      \
    {                                                                       \
        for (Py_ssize_t j = 0; j < M; j++) {                                \
            const T *g_j = g + j * (D + 1);                                 \
            T *out_j = out + j * (D + 1);                                   \
            T g_bias = g_j[D];                                              \
            for (Py_ssize_t i = 0; i < D; i++) {                            \
                T term = g_bias * mean[i];                                  \
                T shifted = g_j[i] - term;                                  \
                out_j[i] = shifted / scale[i];                              \
            }                                                               \
            out_j[D] = g_bias;                                              \
        }                                                                   \
        if (out != g) {                                                     \
            memcpy(out + M * (D + 1), g + M * (D + 1),                      \
                   (size - M * (D + 1)) * sizeof(T));                       \
        }                                                                   \
    }

DEFINE_UPDATES(double, sqrt, double)
DEFINE_UPDATES(float, sqrtf, float)

/* ---- argument checking ------------------------------------------------- */

/* 'd' for float64, 'f' for float32, 0 (with an exception set) otherwise. */
static char
float_kind(const Py_buffer *view)
{
    const char *format = view->format;
    if (format[0] == '=' || format[0] == '@') {
        format++;
    }
    if ((format[0] == 'd' || format[0] == 'f') && format[1] == '\0') {
        return format[0];
    }
    PyErr_Format(PyExc_TypeError,
                 "needs native float32 or float64 values, got buffer format '%s'",
                 view->format);
    return 0;
}

static int
get_array(PyObject *object, Py_buffer *view, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (writable) {
        flags |= PyBUF_WRITABLE;
    }
    if (PyObject_GetBuffer(object, view, flags) < 0) {
        return -1;
    }
    if (!float_kind(view)) {
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void
release_all(Py_buffer *views, int count)
{
    for (int i = 0; i < count; i++) {
        PyBuffer_Release(&views[i]);
    }
}

/* The first `count` arguments as C-contiguous float arrays of one dtype,
 * the first `writable` of them writable. On failure none is held and an
 * exception is set. */
static int
get_arrays_writing(PyObject *const *args, Py_buffer *views, int count,
                   int writable)
{
    for (int i = 0; i < count; i++) {
        if (get_array(args[i], &views[i], i < writable) < 0) {
            release_all(views, i);
            return -1;
        }
        if (i > 0 && float_kind(&views[i]) != float_kind(&views[0])) {
            PyErr_SetString(PyExc_TypeError,
                            "all arrays must have the same float dtype");
            release_all(views, i + 1);
            return -1;
        }
    }
    return 0;
}

static int
get_arrays(PyObject *const *args, Py_buffer *views, int count)
{
    return get_arrays_writing(args, views, count, 1);
}

static int
same_matrix_shape(const Py_buffer *a, const Py_buffer *b)
{
    return a->ndim == 2 && b->ndim == 2 && a->shape[0] == b->shape[0]
           && a->shape[1] == b->shape[1];
}

static Py_ssize_t
length(const Py_buffer *view)
{
    return view->len / view->itemsize;
}

/* ---- the functions ----------------------------------------------------- */

/* Apply an elementwise loop, in place, to a C-contiguous float array, with
 * the GIL released: the double or the float version by the array's dtype. */
static PyObject *
apply_inplace(PyObject *array, void (*on_double)(double *, Py_ssize_t),
              void (*on_float)(float *, Py_ssize_t))
{
    Py_buffer view;
    if (get_array(array, &view, 1) < 0) {
        return NULL;
    }
    char kind = float_kind(&view);
    Py_ssize_t n = length(&view);
    Py_BEGIN_ALLOW_THREADS
    if (kind == 'd') {
        on_double((double *)view.buf, n);
    }
    else {
        on_float((float *)view.buf, n);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *
sigmoid_inplace(PyObject *module, PyObject *array)
{
    return apply_inplace(array, sigmoid_double, sigmoid_float);
}

static PyObject *
exp_inplace(PyObject *module, PyObject *array)
{
    return apply_inplace(array, exp_double, exp_float);
}

static PyObject *
build_info(PyObject *module, PyObject *unused)
{
    return Py_BuildValue("{ssss}", "compiler", COMPILER_NAME, "vector_clones",
                         VECTOR_CLONES_NAME);
}

/* A writable 1-D float array of `count` values, any stride. */
static int
get_sums(PyObject *object, Py_buffer *view, Py_ssize_t count, char kind)
{
    if (PyObject_GetBuffer(object, view,
                           PyBUF_WRITABLE | PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        return -1;
    }
    if (float_kind(view) != kind || view->ndim != 1 || view->shape[0] != count
        || view->strides[0] % view->itemsize != 0) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError,
                         "column_sums must be a 1-D array of %zd values of the "
                         "same dtype", count);
        }
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *
times_sigmoid_slope(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "times_sigmoid_slope(D, Z, column_sums)");
        return NULL;
    }
    Py_buffer views[3];
    if (get_arrays(args, views, 2) < 0) {
        return NULL;
    }
    if (!same_matrix_shape(&views[0], &views[1])) {
        PyErr_SetString(PyExc_ValueError, "D and Z must have the same shape (n, M)");
        release_all(views, 2);
        return NULL;
    }
    char kind = float_kind(&views[0]);
    Py_ssize_t rows = views[0].shape[0], width = views[0].shape[1];
    if (get_sums(args[2], &views[2], width, kind) < 0) {
        release_all(views, 2);
        return NULL;
    }
    Py_ssize_t stride = views[2].strides[0] / views[2].itemsize;
    void *acc = PyMem_Malloc(width > 0 ? width * views[0].itemsize : 1);
    if (acc == NULL) {
        release_all(views, 3);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    if (kind == 'd') {
        times_slope_double((double *)views[0].buf, (const double *)views[1].buf,
                           rows, width, (double *)acc, (double *)views[2].buf,
                           stride);
    }
    else {
        times_slope_float((float *)views[0].buf, (const float *)views[1].buf,
                          rows, width, (float *)acc, (float *)views[2].buf, stride);
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(acc);
    release_all(views, 3);
    Py_RETURN_NONE;
}

static PyObject *
softmax_cross_entropy(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "softmax_cross_entropy(A, pT, p, column_sums)");
        return NULL;
    }
    Py_buffer views[4];
    if (get_arrays(args, views, 3) < 0) {
        return NULL;
    }
    if (!same_matrix_shape(&views[0], &views[1])
        || length(&views[2]) != views[0].shape[0] || views[0].shape[1] < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "A and pT must have the same shape (n, K), K >= 1, "
                        "and p n values");
        release_all(views, 3);
        return NULL;
    }
    char kind = float_kind(&views[0]);
    Py_ssize_t rows = views[0].shape[0], K = views[0].shape[1];
    if (get_sums(args[3], &views[3], K, kind) < 0) {
        release_all(views, 3);
        return NULL;
    }
    Py_ssize_t stride = views[3].strides[0] / views[3].itemsize;
    double loss;
    Py_BEGIN_ALLOW_THREADS
    if (kind == 'd') {
        loss = softmax_cross_entropy_double(
            (double *)views[0].buf, (const double *)views[1].buf,
            (const double *)views[2].buf, rows, K, (double *)views[3].buf, stride);
    }
    else {
        loss = softmax_cross_entropy_float(
            (float *)views[0].buf, (const float *)views[1].buf,
            (const float *)views[2].buf, rows, K, (float *)views[3].buf, stride);
    }
    Py_END_ALLOW_THREADS
    release_all(views, 4);
    return PyFloat_FromDouble(loss);
}

static PyObject *
small_network_pass(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError,
                        "small_network_pass(gradient, theta, X, pT, p)");
        return NULL;
    }
    Py_buffer views[5];
    if (get_arrays(args, views, 5) < 0) {
        return NULL;
    }
    Py_ssize_t N = views[2].ndim == 2 ? views[2].shape[0] : -1;
    Py_ssize_t D = views[2].ndim == 2 ? views[2].shape[1] : -1;
    Py_ssize_t K = views[3].ndim == 2 ? views[3].shape[1] : -1;
    Py_ssize_t size = length(&views[1]);
    /* theta has M (D + 1) + K (M + 1) values: M from its length. */
    Py_ssize_t M = (N >= 0 && K >= 1) ? (size - K) / (D + 1 + K) : -1;
    if (N < 0 || K < 1 || views[3].shape[0] != N || length(&views[4]) != N
        || M < 1 || M * (D + 1) + K * (M + 1) != size
        || length(&views[0]) != size) {
        PyErr_SetString(PyExc_ValueError,
                        "X must be (N, D), pT (N, K), p N values, and theta and "
                        "gradient M (D + 1) + K (M + 1) values, M >= 1");
        release_all(views, 5);
        return NULL;
    }
    char kind = float_kind(&views[1]);
    void *scratch = PyMem_Malloc((N * (2 * M + K) + M) * views[1].itemsize);
    if (scratch == NULL) {
        release_all(views, 5);
        return PyErr_NoMemory();
    }
    double loss;
    Py_BEGIN_ALLOW_THREADS
    if (kind == 'd') {
        loss = small_network_pass_double(
            (const double *)views[1].buf, (const double *)views[2].buf,
            (const double *)views[3].buf, (const double *)views[4].buf, N, D, M,
            K, (double *)views[0].buf, (double *)scratch);
    }
    else {
        loss = small_network_pass_float(
            (const float *)views[1].buf, (const float *)views[2].buf,
            (const float *)views[3].buf, (const float *)views[4].buf, N, D, M,
            K, (float *)views[0].buf, (float *)scratch);
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(scratch);
    release_all(views, 5);
    return PyFloat_FromDouble(loss);
}

/* The solver's updates are a few thousand values: they keep the GIL, whose
 * release would cost as much as the loop. */
static PyObject *
adam_step(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError,
                        "adam_step(theta, m, s, gradient, alpha_t, beta1, beta2, "
                        "epsilon)");
        return NULL;
    }
    double numbers[4];
    for (int i = 0; i < 4; i++) {
        numbers[i] = PyFloat_AsDouble(args[4 + i]);
        if (numbers[i] == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
    }
    double alpha_t = numbers[0], beta1 = numbers[1], beta2 = numbers[2];
    double epsilon = numbers[3];
    Py_buffer views[4];
    if (get_arrays_writing(args, views, 4, 3) < 0) {
        return NULL;
    }
    Py_ssize_t n = length(&views[0]);
    for (int i = 1; i < 4; i++) {
        if (length(&views[i]) != n) {
            PyErr_SetString(PyExc_ValueError,
                            "theta, m, s and gradient must have the same length");
            release_all(views, 4);
            return NULL;
        }
    }
    /* (1 - beta) in double, as Python computes it, then in the arrays'
     * dtype, as NumPy casts a Python float. */
    if (float_kind(&views[0]) == 'd') {
        adam_double((double *)views[0].buf, (double *)views[1].buf,
                    (double *)views[2].buf, (const double *)views[3].buf, n,
                    alpha_t, beta1, 1 - beta1, beta2, 1 - beta2, epsilon);
    }
    else {
        adam_float((float *)views[0].buf, (float *)views[1].buf,
                   (float *)views[2].buf, (const float *)views[3].buf, n,
                   (float)alpha_t, (float)beta1, (float)(1 - beta1),
                   (float)beta2, (float)(1 - beta2), (float)epsilon);
    }
    release_all(views, 4);
    Py_RETURN_NONE;
}

/* Shared by the two maps of the standardised coordinates: out, theta (or
 * gradient), mean and scale, D from the mean, M given. */
static PyObject *
coordinates_map(PyObject *const *args, Py_ssize_t nargs, const char *usage,
                void (*on_double)(double *, const double *, const double *,
                                  const double *, Py_ssize_t, Py_ssize_t,
                                  Py_ssize_t),
                void (*on_float)(float *, const float *, const float *,
                                 const float *, Py_ssize_t, Py_ssize_t,
                                 Py_ssize_t))
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    Py_ssize_t M = PyLong_AsSsize_t(args[4]);
    if (M == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_buffer views[4];
    if (get_arrays(args, views, 4) < 0) {
        return NULL;
    }
    Py_ssize_t D = length(&views[2]), size = length(&views[0]);
    if (M < 1 || length(&views[3]) != D || length(&views[1]) != size
        || size < M * (D + 1)) {
        PyErr_SetString(PyExc_ValueError,
                        "mean and scale must have D values and out and theta the "
                        "same length, at least M (D + 1)");
        release_all(views, 4);
        return NULL;
    }
    if (float_kind(&views[0]) == 'd') {
        on_double((double *)views[0].buf, (const double *)views[1].buf,
                  (const double *)views[2].buf, (const double *)views[3].buf, D,
                  M, size);
    }
    else {
        on_float((float *)views[0].buf, (const float *)views[1].buf,
                 (const float *)views[2].buf, (const float *)views[3].buf, D, M,
                 size);
    }
    release_all(views, 4);
    Py_RETURN_NONE;
}

static PyObject *
standardised_to_raw(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return coordinates_map(args, nargs,
                           "standardised_to_raw(out, theta_s, mean, scale, M)",
                           to_raw_double, to_raw_float);
}

static PyObject *
raw_to_standardised_gradient(PyObject *module, PyObject *const *args,
                             Py_ssize_t nargs)
{
    return coordinates_map(
        args, nargs, "raw_to_standardised_gradient(out, gradient, mean, scale, M)",
        to_standardised_double, to_standardised_float);
}

static PyMethodDef methods[] = {
    {"exp_inplace", exp_inplace, METH_O,
     "exp_inplace(A)\n--\n\n"
     "Overwrite A with exp(A), the kernels' own exp. C-contiguous float32 or\n"
     "float64."},
    {"build_info", build_info, METH_NOARGS,
     "build_info()\n--\n\n"
     "The compiler that built this module and its vector clones, as a dict."},
    {"sigmoid_inplace", sigmoid_inplace, METH_O,
     "sigmoid_inplace(B)\n--\n\n"
     "Overwrite B with 1 / (1 + exp(-B)). C-contiguous float32 or float64."},
    {"times_sigmoid_slope", (PyCFunction)(void (*)(void))times_sigmoid_slope,
     METH_FASTCALL,
     "times_sigmoid_slope(D, Z, column_sums)\n--\n\n"
     "D <- D * Z * (1 - Z) in place (2-D, same shape), and column_sums[j]\n"
     "<- sum_n D[n, j] (1-D, any stride)."},
    {"softmax_cross_entropy", (PyCFunction)(void (*)(void))softmax_cross_entropy,
     METH_FASTCALL,
     "softmax_cross_entropy(A, pT, p, column_sums)\n--\n\n"
     "Return sum_n (p_n log S_n - sum_k pT_nk a_nk), S_n = sum_k exp(a_nk),\n"
     "overwrite A with p_n y_nk - pT_nk, y_nk = exp(a_nk) / S_n (each row of\n"
     "A first shifted by its maximum), and set column_sums[k] to the sum\n"
     "over n of the new A (1-D, any stride)."},
    {"small_network_pass", (PyCFunction)(void (*)(void))small_network_pass,
     METH_FASTCALL,
     "small_network_pass(gradient, theta, X, pT, p)\n--\n\n"
     "The forward and backward pass of the whole network, one sample at a\n"
     "time, in one call: return sum_n (p_n log S_n - sum_k pT_nk a_nk) and\n"
     "overwrite gradient with its derivative in theta (the book's layout;\n"
     "1-D, C-contiguous). X (N, D), pT (N, K), p (N,); one float dtype."},
    {"adam_step", (PyCFunction)(void (*)(void))adam_step, METH_FASTCALL,
     "adam_step(theta, m, s, gradient, alpha_t, beta1, beta2, epsilon)\n--\n\n"
     "One Adam step in place, one pass: m <- beta1 m + (1 - beta1) g,\n"
     "s <- beta2 s + (1 - beta2) g g, theta <- theta - alpha_t m /\n"
     "(sqrt(s) + epsilon). 1-D, C-contiguous, one float dtype."},
    {"standardised_to_raw", (PyCFunction)(void (*)(void))standardised_to_raw,
     METH_FASTCALL,
     "standardised_to_raw(out, theta_s, mean, scale, M)\n--\n\n"
     "out <- A theta_s: w_ji = ws_ji / s_i, w_j,bias = ws_j,bias -\n"
     "sum_i w_ji m_i, V copied (the book's layout; out may be theta_s)."},
    {"raw_to_standardised_gradient",
     (PyCFunction)(void (*)(void))raw_to_standardised_gradient, METH_FASTCALL,
     "raw_to_standardised_gradient(out, gradient, mean, scale, M)\n--\n\n"
     "out <- A^T gradient: (g_ji - g_j,bias m_i) / s_i, the biases and V\n"
     "copied (out may be gradient)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_kernels",
    "Compiled elementwise kernels of the training pass.",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
