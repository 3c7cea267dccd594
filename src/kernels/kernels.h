// Compute kernels behind linear / Conv1D / q8 layers. One source file per
// kernel family, named op_type_tile_isa; all are written against simd128.h,
// so the native build runs the same 128-bit algorithm as the wasm build.
//
// Weights are read in the layout they were loaded in (no second copy):
// B is either [n, k] row-major (nn.Linear, "NK") or [k, n] row-major (GPT-2
// Conv1D, "KN"). GEMM packs one cache block of B at a time into a
// thread-local scratch buffer (KC x NC floats), never the whole matrix.
#pragma once

#include <cstdint>

namespace hubwasm::kernels {

enum class BLayout { NK, KN };

// C[m, n] = A[m, k] * op(B) (+ bias[n]); op(B) = B^T for NK, B for KN.
// Leading dimensions are row strides in elements. bias may be null.
// m == 1 takes the GEMV path, few rows over NK weights the dot-product path.
// Split across parallel::num_threads() threads (parallel_split.cpp); the
// result is the same for any thread count.
void gemm_f32(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
              BLayout layout, const float* bias, float* c, int64_t ldc);

// The packed, cache-blocked 4x8 register-tiled GEMM (gemm_f32_4x8_simd128.cpp),
// for any m (used by gemm_f32 for KN weights with m > 1 and for NK weights
// with m > kNkDotMaxRows).
void gemm_f32_4x8(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                  BLayout layout, const float* bias, float* c, int64_t ldc);

// C[m, n] = A[m, k] * W^T (+ bias) for [n, k] weights without packing
// (gemm_f32_nk_dot2x4_simd128.cpp): 2 rows of A dotted with 4 weight rows at
// a time. gemm_f32 uses it for few rows (m <= kNkDotMaxRows), where packing
// the weights costs more than it saves.
void gemm_f32_nk_dot(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* w, int64_t ldw,
                     const float* bias, float* c, int64_t ldc);
constexpr int64_t kNkDotMaxRows = 64;

// y[n] = x[k] * op(W) (+ bias) (gemv_f32_simd128.cpp), reading 4 weight
// streams a quarter of the matrix apart: NK = dot products of 4 rows,
// KN = partial sums of row segments, 4 rows of W per pass.
void gemv_f32(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, BLayout layout,
              const float* bias, float* y);
// The KN GEMV in pieces, for the threaded split: segment s (< kKnSegments)
// of W's rows into partial[n] (kKnSegments partials of n floats: the calling
// thread's buffer from gemv_f32_kn_partials), then y = the partials added in
// order (+ bias). 8 segments divide evenly among 1, 2, 4 or 8 threads.
constexpr int64_t kKnSegments = 8;
float* gemv_f32_kn_partials(int64_t n);
void gemv_f32_kn_segment(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, int64_t segment,
                         float* partial);
void gemv_f32_kn_sum(int64_t n, const float* partials, const float* bias, float* y);

// int8 weights with one float scale per (row, block of `block` inputs), the
// LinearQ8 format, laid out for the kernel: rows padded with zeros to whole
// groups of 4, inputs padded with zeros to whole blocks (k_padded), block a
// multiple of 4 and at most 2048. Group g (rows 4g..4g+3) is k_padded / 4
// chunks of 16 bytes; chunk c holds inputs 4c..4c+3 of the 4 rows as
//   [r0 i0, r0 i1, r1 i0, r1 i1, r2 i0, r2 i1, r3 i0, r3 i1, (the same for i2, i3)]
// so one widening load and a dot product with a splatted input pair give the
// 4 rows' partial sums in one vector. Scales: [group][block][row in group].
struct Q8Weights {
  const int8_t* q = nullptr;
  const float* scales = nullptr;
  int64_t n = 0, k = 0, block = 16;
  int64_t blocks() const { return (k + block - 1) / block; }
  int64_t k_padded() const { return blocks() * block; }
  int64_t groups() const { return (n + 3) / 4; }
  // Byte offset of W[row, 0] in q; W[row, i] is input_offset(i) bytes further.
  int64_t row_offset(int64_t row) const { return (row / 4) * 4 * k_padded() + (row % 4) * 2; }
  // Offset of W[row, input] from W[row, 0]: inputs 4c..4c+3 sit at bytes 16c + {0, 1, 8, 9}.
  static int64_t input_offset(int64_t input) { return (input / 4) * 16 + (input % 4 / 2) * 8 + input % 2; }
};

// Quantizes the 4 rows of group g of W (rows 4g..4g+3) into the layout at q /
// scales (sized as w's; quantize_q8_simd128.cpp), writing its chunks and
// scales whole. `rows` holds the 4 rows, each k floats then zeros up to
// k_padded() (a row past n: all zeros, giving q 0 and scale 0). Per row and
// block: scale = max|x| / 127 (NaN values ignored), q = x * (1 / scale)
// rounded half to even (x * 0 when scale is 0), clamped to [-127, 127], NaN
// (also inf * 0) giving 127; padding inputs get 0. quantize_group_q8_kn does
// the same from a weight stored transposed, W[r, i] at kn[i * ldkn + r] (a
// GPT-2 Conv1D [in, out]), for a group whose 4 rows are all below n.
void quantize_group_q8(const float* const rows[4], int64_t g, const Q8Weights& w, int8_t* q, float* scales);
void quantize_group_q8_kn(const float* kn, int64_t ldkn, int64_t g, const Q8Weights& w, int8_t* q, float* scales);

// Y[m, n] = X[m, k] * W^T (+ bias) (gemm_q8_i16dot_simd128.cpp). Each X row
// is quantized to int16 with one scale (max|x| / 32767), int8 weights are
// widened to int16 and multiplied with i32x4.dot_i16x8_s (SSE2 pmaddwd
// natively) against an input pair splatted to all lanes, giving 4 output
// rows at once; int32 sums per block are scaled in float. m == 1 reads 4
// groups a quarter of the matrix apart at once; m > 1 reuses each widened
// weight vector for 4 rows of X.
void gemm_q8(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y, int64_t ldy);

// gemm_q8 split by output rows across parallel::num_threads() threads
// (parallel_split.cpp); the result is the same for any thread count.
void gemm_q8_parallel(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y,
                      int64_t ldy);

// Each of `rows` rows (n floats, row stride ld) replaced by its softmax, in
// place (softmax_f32_simd128.cpp). exp is a degree-6 polynomial after range
// reduction (Cephes' expf, about 2 ulp); inputs below -87.3 give exactly 0,
// as float32 exp underflows, so masked scores (float lowest) weigh nothing.
void softmax_rows_f32(int64_t rows, int64_t n, float* x, int64_t ld);

// Activations in place over n floats (activation_f32_simd128.cpp), on the
// exp above: GELU with erf (erfc by Abramowitz & Stegun 7.1.26, absolute error
// below 1.5e-7 |x|), GELU with tanh (as x sigmoid(2u)) and SiLU (x sigmoid(x)).
void gelu_erf_f32(int64_t n, float* x);
void gelu_tanh_f32(int64_t n, float* x);
void silu_f32(int64_t n, float* x);

// One row of n floats normalised as torch.nn.LayerNorm / LlamaRMSNorm
// (norm_f32_simd128.cpp), with the residual step fused in: when `add` is
// given, x += add first (x keeps the sum). The result goes to `out`, which
// may be x. Mean, variance and mean square accumulate in double, the scaling
// is float32 in torch's order (LayerNorm: (x - mean) * inv * gamma + beta;
// RMSNorm: weight * (x * inv), or (x * inv) * (1 + weight) with unit_offset).
void layer_norm_row_f32(int64_t n, float* x, const float* add, const float* gamma, const float* beta, float eps,
                        float* out);
void rms_norm_row_f32(int64_t n, float* x, const float* add, const float* weight, bool unit_offset, float eps,
                      float* out);

// The ISA the kernels were compiled for, e.g. "wasm-simd128".
const char* simd_isa();

}  // namespace hubwasm::kernels
