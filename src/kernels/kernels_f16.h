// Kernels over IEEE half-precision weights (the fp16 dtype): weights stay
// 16-bit in memory and are widened to float32 on the fly, so they cost half
// the bytes of f32 and all arithmetic is still float32. SIMD128 has no f16
// type: the widening is integer bit manipulation (gemm_f16_simd128.cpp).
#pragma once

#include <cstdint>

namespace hubwasm::kernels {

// dst[i] = float(src[i]) for n halves (exact: every f16 value is an f32 value).
void widen_f16(const uint16_t* src, int64_t n, float* dst);

// dst[i] = src[i] rounded to the nearest half, ties to even, as f32_to_f16
// (core/tensor.h): overflow gives +-inf, NaN a quiet NaN.
void narrow_f16(const float* src, int64_t n, uint16_t* dst);

// True when no half is Inf or NaN (exponent 31): such weights may be passed
// to gemm_f16 as `finite`, which takes a shorter widening path.
bool f16_all_finite(const uint16_t* h, int64_t n);

// Y[m, n] = X[m, k] * W^T (+ bias[n]); W is [n, k] row-major f16 (nn.Linear
// layout). m == 1 is a GEMV that widens each weight vector as it streams it;
// m > 1 widens a panel of W rows at a time and runs the packed f32 GEMM on it.
// `finite` must only be true when f16_all_finite(W) holds.
void gemm_f16(int64_t m, int64_t n, int64_t k, const float* x, int64_t ldx, const uint16_t* w, bool finite,
              const float* bias, float* y, int64_t ldy);

}  // namespace hubwasm::kernels
