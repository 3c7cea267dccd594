// Kernel micro-benchmarks: GFLOP/s (int8: GOPS, 2 ops per multiply-add) of
// each kernel against the SIMD128 ceiling of this CPU, measured with a
// register-only loop of independent 4-lane multiplies and adds (the kernels'
// own instruction mix; SIMD128 has no FMA). The same source runs natively
// (g++ -O3 -march=x86-64-v3, 128-bit vectors) and as wasm in Node.
// Prints one JSON line per figure, then a table. Median of 5 timed reps.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_f16.h"
#include "kernels/simd128.h"
#include "ops/causal_attention.h"
#include "ops/disentangled_attention.h"
#include "ops/layer_norm.h"
#include "ops/residual_add.h"
#include "ops/rms_norm.h"
#include "ops/linear_q8.h"

using namespace hubwasm;
using kernels::BLayout;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Median over 5 reps of seconds per call; each rep runs >= 30 ms.
double time_call(const std::function<void()>& f) {
  f();
  int iters = 1;
  for (;;) {
    const double t0 = now_s();
    for (int i = 0; i < iters; ++i) f();
    const double dt = now_s() - t0;
    if (dt > 0.03) break;
    iters *= 2;
  }
  std::vector<double> reps;
  for (int r = 0; r < 5; ++r) {
    const double t0 = now_s();
    for (int i = 0; i < iters; ++i) f();
    reps.push_back((now_s() - t0) / iters);
  }
  std::sort(reps.begin(), reps.end());
  return reps[2];
}

volatile float g_sink;
volatile float g_one = 1.0000001f;

// 6 multiply chains and 6 add chains, all in registers: 12 vector ops per
// iteration = 48 flops. Latency 3-4 cycles x throughput 2/cycle needs >= 6
// independent chains per op type.
double ceiling_gflops() {
  using namespace simd;
  const int64_t iters = 20'000'000;
  auto run = [&] {
    const f32x4 m = f32_splat(g_one);
    f32x4 x0 = f32_splat(1.0f), x1 = f32_splat(1.1f), x2 = f32_splat(1.2f), x3 = f32_splat(1.3f),
          x4 = f32_splat(1.4f), x5 = f32_splat(1.5f);
    f32x4 y0 = f32_zero(), y1 = f32_zero(), y2 = f32_zero(), y3 = f32_zero(), y4 = f32_zero(), y5 = f32_zero();
    for (int64_t i = 0; i < iters; ++i) {
      x0 = f32_mul(x0, m);
      x1 = f32_mul(x1, m);
      x2 = f32_mul(x2, m);
      x3 = f32_mul(x3, m);
      x4 = f32_mul(x4, m);
      x5 = f32_mul(x5, m);
      y0 = f32_add(y0, x0);
      y1 = f32_add(y1, x1);
      y2 = f32_add(y2, x2);
      y3 = f32_add(y3, x3);
      y4 = f32_add(y4, x4);
      y5 = f32_add(y5, x5);
#if defined(__GNUC__) && !defined(__clang__)
      __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5));
#endif
    }
    g_sink = f32_hsum(f32_add(f32_add(f32_add(y0, y1), f32_add(y2, y3)), f32_add(y4, y5)));
  };
  const double t = time_call(run);
  return double(iters) * 48 / t / 1e9;
}

// GB/s of a SIMD sum over `w` read as `streams` sequential streams, each a
// 1/streams part of it, side by side 16 floats at a time: the read ceiling
// decode's GEMVs work against (far_rows.h reads 4 such streams).
double stream_read_gbps(const std::vector<float>& w, int64_t streams) {
  using namespace simd;
  const int64_t part = static_cast<int64_t>(w.size()) / streams / 16 * 16;
  const double t = time_call([&] {
    f32x4 s0 = f32_zero(), s1 = f32_zero(), s2 = f32_zero(), s3 = f32_zero();
    for (int64_t i = 0; i < part; i += 16) {
      for (int64_t j = 0; j < streams; ++j) {
        const float* p = w.data() + j * part + i;
        s0 = f32_add(s0, f32_load(p));
        s1 = f32_add(s1, f32_load(p + 4));
        s2 = f32_add(s2, f32_load(p + 8));
        s3 = f32_add(s3, f32_load(p + 12));
      }
    }
    g_sink = f32_hsum(f32_add(f32_add(s0, s1), f32_add(s2, s3)));
  });
  return 4.0 * part * streams / t / 1e9;
}

std::vector<float> rnd(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// A [rows, cols] tensor of rnd() values.
Tensor rnd_tensor(int64_t rows, int64_t cols, uint32_t seed) {
  Tensor t = Tensor::zeros(DType::F32, {rows, cols});
  const auto v = rnd(size_t(rows * cols), seed);
  std::copy(v.begin(), v.end(), t.f32());
  return t;
}

struct Row {
  std::string name, unit;
  double value, share;
};

}  // namespace

int main() {
#if defined(__EMSCRIPTEN__)
  const char* where = "wasm-node";
#else
  const char* where = "native";
#endif
  std::vector<Row> rows;
  auto emit = [&](const std::string& name, const std::string& unit, double v, double ceil) {
    const double share = ceil > 0 ? v / ceil : 0;
    rows.push_back({name, unit, v, share});
    std::printf("{\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.2f,\"share_of_ceiling\":%.3f,\"where\":\"%s\",\"isa\":\"%s\"}\n",
                name.c_str(), unit.c_str(), v, share, where, kernels::simd_isa());
    std::fflush(stdout);
  };
  const double ceil = ceiling_gflops();
  emit("ceiling_f32x4_mul_add", "GFLOP/s", ceil, ceil);
  {  // 480 MiB, far past the caches.
    const std::vector<float> w(size_t(120) << 20, 1.0f);
    emit("stream read, 1 stream (480 MiB)", "GB/s", stream_read_gbps(w, 1), 0);
    emit("stream read, 4 streams a quarter apart (480 MiB)", "GB/s", stream_read_gbps(w, 4), 0);
  }

  struct G {
    const char* tag;
    int64_t m, n, k;
    BLayout layout;
  };
  const G gemms[] = {{"gemm_f32_4x8 512x512x512 NK", 512, 512, 512, BLayout::NK},
                     {"gemm_f32_4x8 minilm ffn 2048x1536x384 NK", 2048, 1536, 384, BLayout::NK},
                     {"gemm_f32_4x8 bert ffn 256x3072x768 NK", 256, 3072, 768, BLayout::NK},
                     {"gemm_f32_4x8 16-token 16x384x384 NK", 16, 384, 384, BLayout::NK},
                     {"gemm_f32_4x8 gpt2 c_fc 64x3072x768 KN", 64, 3072, 768, BLayout::KN}};
  for (const auto& g : gemms) {
    const auto a = rnd(size_t(g.m * g.k), 1), b = rnd(size_t(g.n * g.k), 2), bias = rnd(size_t(g.n), 3);
    std::vector<float> c(size_t(g.m * g.n));
    const int64_t ldb = g.layout == BLayout::NK ? g.k : g.n;
    const double t = time_call([&] {
      kernels::gemm_f32_4x8(g.m, g.n, g.k, a.data(), g.k, b.data(), ldb, g.layout, bias.data(), c.data(), g.n);
    });
    emit(g.tag, "GFLOP/s", 2.0 * g.m * g.n * g.k / t / 1e9, ceil);
  }
  {  // Few rows over [n, k] weights: packed 4x8 vs the unpacked dot-product
     // kernel, which gemm_f32 picks for m <= kernels::kNkDotMaxRows. "from
     // memory" cycles through 16 BERT-base FFN matrices (151 MB), as a forward
     // pass meets its weights.
    const int64_t n = 3072, k = 768, mats = 16;
    const auto w = rnd(size_t(mats * n * k), 2), bias = rnd(size_t(n), 3);
    for (int64_t m : {4, 16, 32, 64, 128}) {
      const auto a = rnd(size_t(m * k), 1);
      std::vector<float> c(size_t(m * n));
      const auto per_matrix = [&](bool dots, int64_t count) {
        return time_call([&] {
          for (int64_t i = 0; i < count; ++i) {
            const float* wi = w.data() + i * n * k;
            if (dots) kernels::gemm_f32_nk_dot(m, n, k, a.data(), k, wi, k, bias.data(), c.data(), n);
            else kernels::gemm_f32_4x8(m, n, k, a.data(), k, wi, k, BLayout::NK, bias.data(), c.data(), n);
          }
        }) / count;
      };
      for (bool dots : {false, true}) {
        const std::string tag = std::string(dots ? "gemm_f32_nk_dot " : "gemm_f32_4x8 ") + std::to_string(m) +
                                "x3072x768 NK";
        emit(tag + " (in cache)", "GFLOP/s", 2.0 * m * n * k / per_matrix(dots, 1) / 1e9, ceil);
        emit(tag + " (from memory)", "GFLOP/s", 2.0 * m * n * k / per_matrix(dots, mats) / 1e9, ceil);
      }
    }
  }
  {  // Eigen on the 512^3 shape, the previous implementation of linear().
    using RM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const int64_t n = 512;
    const auto a = rnd(size_t(n * n), 1), b = rnd(size_t(n * n), 2);
    std::vector<float> c(size_t(n * n));
    Eigen::Map<const RM> A(a.data(), n, n), B(b.data(), n, n);
    Eigen::Map<RM> C(c.data(), n, n);
    const double t = time_call([&] { C.noalias() = A * B.transpose(); });
    emit("eigen 512x512x512 A*B^T (old linear)", "GFLOP/s", 2.0 * n * n * n / t / 1e9, ceil);
  }
  struct V {
    const char* tag;
    int64_t n, k;
    BLayout layout;
  };
  const V gemvs[] = {{"gemv_f32 768x768 NK (in cache)", 768, 768, BLayout::NK},
                     {"gemv_f32 3072x768 NK", 3072, 768, BLayout::NK},
                     {"gemv_f32 2304x768 KN (gpt2 c_attn)", 2304, 768, BLayout::KN},
                     // 154 MB, far past the caches: decode's memory-bound case.
                     {"gemv_f32 50257x768 NK (gpt2 lm_head, from memory)", 50257, 768, BLayout::NK}};
  for (const auto& g : gemvs) {
    const auto x = rnd(size_t(g.k), 1), w = rnd(size_t(g.n * g.k), 2);
    std::vector<float> y(size_t(g.n));
    const int64_t ldw = g.layout == BLayout::NK ? g.k : g.n;
    const double t = time_call([&] { kernels::gemv_f32(g.n, g.k, x.data(), w.data(), ldw, g.layout, nullptr, y.data()); });
    emit(g.tag, "GFLOP/s", 2.0 * g.n * g.k / t / 1e9, ceil);
    emit(std::string(g.tag) + " weight bandwidth", "GB/s", 4.0 * g.n * g.k / t / 1e9, 0);
  }
  {  // One GPT-2 small decode step's weight reads: 12 blocks of Conv1D [in, out] GEMVs, then the LM head:
     // the bandwidth decode gets (one thread), with the layouts, sizes and order of the model.
    struct Matrix {
      int64_t k, n;
      BLayout layout;
    };
    std::vector<Matrix> step;
    for (int layer = 0; layer < 12; ++layer) {
      for (const Matrix m : {Matrix{768, 2304, BLayout::KN}, Matrix{768, 768, BLayout::KN},
                             Matrix{768, 3072, BLayout::KN}, Matrix{3072, 768, BLayout::KN}}) {
        step.push_back(m);
      }
    }
    step.push_back({768, 50257, BLayout::NK});
    const auto x = rnd(3072, 1);
    std::vector<float> y(50257);
    std::vector<LinearQ8> q8;
    int64_t q8_bytes = 0;
    {
      int64_t total = 0;
      for (const auto& m : step) total += m.k * m.n;
      const auto w = rnd(size_t(total), 2);
      const double t = time_call([&] {
        const float* p = w.data();
        for (const auto& m : step) {
          kernels::gemv_f32(m.n, m.k, x.data(), p, m.layout == BLayout::NK ? m.k : m.n, m.layout, nullptr, y.data());
          p += m.k * m.n;
        }
      });
      emit("gemv_f32 gpt2 decode step, " + std::to_string((4 * total) >> 20) + " MiB (weight bandwidth)", "GB/s",
           4.0 * total / t / 1e9, 0);
      const float* p = w.data();
      for (const auto& m : step) {
        Tensor wt = Tensor::zeros(DType::F32, m.layout == BLayout::NK ? Shape{m.n, m.k} : Shape{m.k, m.n});
        std::copy(p, p + m.k * m.n, wt.f32());
        q8.push_back(quantize_q8(wt, m.layout == BLayout::KN, kQ8DefaultBlock));
        q8_bytes += q8.back().qweight.nbytes() + q8.back().scales.nbytes();
        p += m.k * m.n;
      }
    }
    const double t = time_call([&] {
      for (const auto& q : q8) kernels::gemm_q8(1, x.data(), q.in, q.view(), nullptr, y.data(), q.out);
    });
    emit("gemv_q8 gpt2 decode step, " + std::to_string(q8_bytes >> 20) + " MiB (weight bandwidth)", "GB/s",
         q8_bytes / t / 1e9, 0);
  }
  {  // The LM head in fp16 (77 MB).
    const int64_t n = 50257, k = 768;
    const auto x = rnd(size_t(k), 1), wf = rnd(size_t(n * k), 2);
    std::vector<uint16_t> w(wf.size());
    kernels::narrow_f16(wf.data(), n * k, w.data());
    std::vector<float> y(static_cast<size_t>(n));
    const double t = time_call([&] { kernels::gemm_f16(1, n, k, x.data(), k, w.data(), true, nullptr, y.data(), n); });
    emit("gemv_f16 50257x768 (gpt2 lm_head, from memory)", "GFLOP/s", 2.0 * n * k / t / 1e9, ceil);
    // 2 bytes per weight and 2 flops per weight: the same number in both units.
    emit("gemv_f16 50257x768 (gpt2 lm_head, from memory) weight bandwidth", "GB/s", 2.0 * n * k / t / 1e9, 0);
  }
  struct Q {
    const char* tag;
    int64_t m, n, k;
  };
  const Q q8s[] = {{"gemv_q8 768x768 (in cache)", 1, 768, 768},
                   {"gemv_q8 3072x768", 1, 3072, 768},
                   {"gemv_q8 50257x768 (gpt2 lm_head, from memory)", 1, 50257, 768},
                   {"gemm_q8 16x3072x768", 16, 3072, 768},
                   {"gemm_q8 256x3072x768", 256, 3072, 768}};
  for (const auto& g : q8s) {
    const auto x = rnd(size_t(g.m * g.k), 1), wf = rnd(size_t(g.n * g.k), 2);
    Tensor wt = Tensor::zeros(DType::F32, {g.n, g.k});
    std::copy(wf.begin(), wf.end(), wt.f32());
    const LinearQ8 q = quantize_q8(wt, false, kQ8DefaultBlock);
    const kernels::Q8Weights w = q.view();
    std::vector<float> y(size_t(g.m * g.n));
    const double t = time_call([&] { kernels::gemm_q8(g.m, x.data(), g.k, w, nullptr, y.data(), g.n); });
    emit(g.tag, "GOPS", 2.0 * g.m * g.n * g.k / t / 1e9, 0);
    if (g.m == 1) emit(std::string(g.tag) + " weight bandwidth", "GB/s", (q.qweight.nbytes() + q.scales.nbytes()) / t / 1e9, 0);
  }
  {  // Element-wise kernels on a MiniLM FFN activation (2048 x 1536) and attention scores.
    const int64_t n = 2048 * 1536;
    const auto x = rnd(size_t(n), 4);
    std::vector<float> y(x.size());
    const std::pair<const char*, void (*)(int64_t, float*)> acts[] = {{"gelu_erf_f32 (minilm ffn)", kernels::gelu_erf_f32},
                                                                       {"gelu_tanh_f32", kernels::gelu_tanh_f32},
                                                                       {"silu_f32", kernels::silu_f32}};
    for (const auto& act : acts) {
      const double t = time_call([&] {
        std::copy(x.begin(), x.end(), y.begin());
        act.second(n, y.data());
      });
      emit(act.first, "Gelem/s", n / t / 1e9, 0);
    }
    const double t_scalar = time_call([&] {  // the scalar loop the kernel replaced
      std::copy(x.begin(), x.end(), y.begin());
      for (auto& v : y) v = 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
    });
    emit("gelu std::erf scalar (old)", "Gelem/s", n / t_scalar / 1e9, 0);
    const int64_t rows = 12 * 64, cols = 64;  // one MiniLM layer's scores for one sentence
    const auto s0 = rnd(size_t(rows * cols), 5);
    std::vector<float> sc(s0.size());
    const double t_soft = time_call([&] {
      std::copy(s0.begin(), s0.end(), sc.begin());
      kernels::softmax_rows_f32(rows, cols, sc.data(), cols);
    });
    emit("softmax_rows_f32 768x64", "Gelem/s", rows * cols / t_soft / 1e9, 0);
  }
  {  // Causal attention of GPT-2 small's 12 heads of 64 over a KV cache: one
     // decode step after 1023 cached tokens, and a 512-token prompt (whose
     // queries see half the keys on average). Flops: 2 products x 2 per MAC
     // over the keys each query sees.
    // batch, seq and past (set below), heads, kv_heads, head_dim, capacity, sliding_window, scale
    CausalAttentionShape s{1, 0, 12, 12, 64, 0, 1024, 0, 0.125f};
    const auto kc = rnd(size_t(s.heads * s.capacity * s.head_dim), 6), vc = rnd(kc.size(), 7);
    for (const auto& [tag, seq, past] : {std::tuple{"causal_attention gpt2 decode step, 1024 keys", 1, 1023},
                                         std::tuple{"causal_attention gpt2 512-token prompt", 512, 0}}) {
      s.seq = seq;
      s.past = past;
      const Tensor q = rnd_tensor(seq, s.heads * s.head_dim, 8);
      Tensor out = Tensor::zeros(DType::F32, q.shape());
      const double t = time_call([&] { causal_attention(q, kc.data(), vc.data(), {}, s, out); });
      double macs = 0;
      for (int64_t i = 0; i < seq; ++i) macs += double(past + i + 1) * s.head_dim * s.heads * 2;
      emit(tag, "GFLOP/s", 2 * macs / t / 1e9, ceil);
    }
  }
  {  // DeBERTa-v3-base's disentangled attention over one 256-token sequence:
     // 12 heads of 64, 512 relative positions, c2p and p2c terms. Flops:
     // scores, c2p, p2c and the weighted sum, 2 per multiply-add.
    // batch, seq, heads, head_dim, positions, scale
    const DisentangledAttentionShape s{1, 256, 12, 64, 512, std::sqrt(64.0f * 3)};
    const int64_t width = s.heads * s.head_dim;
    const Tensor q = rnd_tensor(s.seq, width, 9), k = rnd_tensor(s.seq, width, 10), v = rnd_tensor(s.seq, width, 11);
    const Tensor pos_key = rnd_tensor(s.positions, width, 12), pos_query = rnd_tensor(s.positions, width, 13);
    std::vector<int32_t> c2p(size_t(s.seq * s.seq)), p2c(c2p.size());
    for (int64_t i = 0; i < s.seq; ++i) {
      for (int64_t j = 0; j < s.seq; ++j) {
        c2p[size_t(i * s.seq + j)] = int32_t(std::clamp<int64_t>(i - j + 256, 0, 511));
        p2c[size_t(i * s.seq + j)] = int32_t(std::clamp<int64_t>(i - j + 256, 0, 511));
      }
    }
    const std::vector<int32_t> mask(size_t(s.seq), 1);
    const double t = time_call([&] { disentangled_attention(q, k, v, pos_key, pos_query, c2p, p2c, mask, s); });
    const double macs = double(s.heads) * s.head_dim * (2.0 * s.seq * s.seq + 2.0 * s.seq * s.positions);
    emit("disentangled_attention deberta-v3-base, 256 tokens", "GFLOP/s", 2 * macs / t / 1e9, ceil);
  }
  {  // A pre-norm block's residual step and the next norm over a Llama-1B
     // prompt's 512 rows of 2048 (4 MiB per tensor): the unfused sequence the
     // decoders ran (add, copy to the norm's input, norm in place) against
     // one pass. Billions of hidden values per second.
    const int64_t rows = 512, hidden = 2048;
    Tensor x = rnd_tensor(rows, hidden, 14), h = rnd_tensor(rows, hidden, 15);
    const Tensor residual = rnd_tensor(rows, hidden, 16);
    const RMSNorm rms{rnd_tensor(1, hidden, 17).reshape({hidden})};
    const LayerNorm ln{rms.weight, rnd_tensor(1, hidden, 18).reshape({hidden}), 1e-5f};
    const double values = double(rows) * hidden;
    emit("residual add + rms_norm 512x2048, unfused (add, copy, norm)", "Gvalues/s", values / time_call([&] {
           residual_add_inplace(x, residual);
           std::memcpy(h.f32(), x.f32(), x.nbytes());
           rms_norm_inplace(h, rms);
         }) / 1e9, 0);
    emit("add_rms_norm_into 512x2048 (fused)", "Gvalues/s",
         values / time_call([&] { add_rms_norm_into(x, residual, rms, h); }) / 1e9, 0);
    emit("add_layer_norm_into 512x2048 (fused)", "Gvalues/s",
         values / time_call([&] { add_layer_norm_into(x, residual, ln, h); }) / 1e9, 0);
  }
  std::printf("\n| kernel (%s, %s) | value | unit | share of f32 ceiling |\n|---|---|---|---|\n", where,
              kernels::simd_isa());
  for (const auto& r : rows) {
    if (r.share > 0) {
      std::printf("| %s | %.1f | %s | %.0f%% |\n", r.name.c_str(), r.value, r.unit.c_str(), 100 * r.share);
    } else {
      std::printf("| %s | %.1f | %s | |\n", r.name.c_str(), r.value, r.unit.c_str());
    }
  }
  return 0;
}
