/*
 * exp(x) that compilers vectorise, with no library behind it.
 *
 * The sigmoid z = 1 / (1 + exp(-b)) and the softmax's exp(a - max) are the
 * elementwise cost of an epoch. glibc's vector exp (libmvec) made them quick
 * on one platform only; these functions are plain C arithmetic, so a loop
 * over them vectorises under GCC, Clang or MSVC, in a manylinux or musllinux
 * wheel, on macOS or Windows, with no symbol from outside the module.
 *
 * The method is the textbook one (and that of NumPy's own SIMD loops):
 *
 *   x = n ln2 + r,  n = round(x / ln2),  |r| <= ln2 / 2,
 *   exp(x) = 2^n exp(r),
 *
 * r computed with ln2 split in a high part whose product with n is exact
 * and a low part (Cody and Waite), exp(r) by its Taylor series to r^13 / 13!
 * (truncation below 4e-18 of the result, under a 25th of an ulp), and 2^n
 * put in the exponent bits, as two factors 2^n1 2^n2 with n1 + n2 = n so
 * that the results from the largest double down into the subnormals come
 * out of one rounding. Arguments are clamped to [-746, 710], beyond which
 * exp is 0 or inf anyway; nan passes through the clamps (its comparisons
 * are false) and makes the polynomial nan. Measured against SciPy's expit
 * in tests/test_kernels.py: within 2 ulp over the whole double range.
 *
 * The float versions compute in double with the series to r^7 / 7!
 * (truncation 5e-9, a 12th of a float ulp) and round once to float.
 */
#ifndef SKBACKPROP_VECTOR_EXP_H
#define SKBACKPROP_VECTOR_EXP_H

#include <stdint.h>
#include <string.h>

#define VEXP_SHIFTER 6755399441055744.0 /* 1.5 * 2^52: adding it rounds */
#define VEXP_LOG2E 1.4426950408889634074
#define VEXP_LN2_HI 6.93147180369123816490e-01 /* 32 significant bits */
#define VEXP_LN2_LO 1.90821492927058770002e-10 /* ln 2 - VEXP_LN2_HI */

static inline uint64_t
vexp_bits(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static inline double
vexp_from_bits(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* 2^k for a whole number k held in `shifted` = k + VEXP_SHIFTER, as a
 * double; k must lie in the normal exponents, -1022 .. 1023. Unsigned
 * arithmetic: for nan arguments the bits are garbage, never undefined. */
static inline double
vexp_power_of_two(double shifted)
{
    uint64_t k = vexp_bits(shifted) - vexp_bits(VEXP_SHIFTER);
    return vexp_from_bits((k + 1023u) << 52);
}

/* x = n ln2 + r: returns r, and n + VEXP_SHIFTER in *shifted; x clamped
 * to [-746, 710] first. */
static inline double
vexp_reduce(double x, double *shifted)
{
    x = x < -746.0 ? -746.0 : x;
    x = x > 710.0 ? 710.0 : x;
    *shifted = x * VEXP_LOG2E + VEXP_SHIFTER;
    double n = *shifted - VEXP_SHIFTER; /* round(x / ln 2) */
    return (x - n * VEXP_LN2_HI) - n * VEXP_LN2_LO;
}

/* p 2^n, as p 2^n1 2^n2 with n1 = round(n / 2): both within -539 .. 513,
 * so neither factor overflows or underflows and the product rounds once. */
static inline double
vexp_scale(double p, double shifted)
{
    double n = shifted - VEXP_SHIFTER;
    double half = n * 0.5 + VEXP_SHIFTER;
    double n2 = n - (half - VEXP_SHIFTER);
    return p * vexp_power_of_two(half) * vexp_power_of_two(n2 + VEXP_SHIFTER);
}

/* exp(x) for double x: exp(r) = sum_{k <= 13} r^k / k!, Horner's rule. */
static inline double
vexp_double(double x)
{
    double shifted;
    double r = vexp_reduce(x, &shifted);
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return vexp_scale(p, shifted);
}

/* exp(x) in double to float accuracy: the series to r^7 / 7!. */
static inline double
vexp_double_for_float(double x)
{
    double shifted;
    double r = vexp_reduce(x, &shifted);
    double p = 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return vexp_scale(p, shifted);
}

static inline float
vexp_float(float x)
{
    return (float)vexp_double_for_float(x);
}

/* The sigmoid 1 / (1 + exp(-b)); the float one in double, rounded once. */
static inline double
vsigmoid_double(double b)
{
    return 1.0 / (1.0 + vexp_double(-b));
}

static inline float
vsigmoid_float(float b)
{
    return (float)(1.0 / (1.0 + vexp_double_for_float(-(double)b)));
}

#endif
