// Attention ops against a direct double-precision evaluation of their
// definitions, on sequences longer than one 64-query block.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "core/error.h"
#include "ops/causal_attention.h"
#include "ops/disentangled_attention.h"
#include "test_random.h"

using namespace hubwasm;

namespace {

// The larger error, NaN winning (std::max would keep the old value), so a NaN output fails.
double worse(double err, double diff) { return diff <= err ? err : diff; }

double dot(const float* a, const float* b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return s;
}

// softmax over the scores of the `visible` keys, then the weighted sum of
// their value rows (value(j): head_dim floats); zeros when none is visible.
std::vector<double> attend(const std::vector<double>& scores, const std::vector<bool>& visible,
                           const std::function<const float*(int64_t)>& value, int64_t head_dim) {
  std::vector<double> out(size_t(head_dim), 0.0);
  double max = -INFINITY, sum = 0;
  for (size_t j = 0; j < scores.size(); ++j) if (visible[j]) max = std::max(max, scores[j]);
  if (max == -INFINITY) return out;
  for (size_t j = 0; j < scores.size(); ++j) if (visible[j]) sum += std::exp(scores[j] - max);
  for (size_t j = 0; j < scores.size(); ++j) {
    if (!visible[j]) continue;
    const double p = std::exp(scores[j] - max) / sum;
    for (int64_t d = 0; d < head_dim; ++d) out[size_t(d)] += p * value(int64_t(j))[d];
  }
  return out;
}

}  // namespace

TEST_CASE("disentangled_attention matches its definition over several query blocks", "[attention]") {
  // batch, seq, heads, head_dim, positions, scale
  const DisentangledAttentionShape s{2, 150, 2, 8, 16, std::sqrt(8.0f * 3)};
  const int64_t width = s.heads * s.head_dim;
  const Tensor q = random_tensor({s.batch * s.seq, width}, 1), k = random_tensor(q.shape(), 2),
               v = random_tensor(q.shape(), 3), pos_key = random_tensor({s.positions, width}, 4),
               pos_query = random_tensor({s.positions, width}, 5);
  std::vector<int32_t> c2p(size_t(s.seq * s.seq)), p2c(c2p.size());
  for (int64_t i = 0; i < s.seq; ++i) {
    for (int64_t j = 0; j < s.seq; ++j) {  // clamped relative positions, as DeBERTa's
      c2p[size_t(i * s.seq + j)] = int32_t(std::clamp<int64_t>(i - j + 8, 0, 15));
      p2c[size_t(i * s.seq + j)] = int32_t(std::clamp<int64_t>(i - j + 7, 0, 15));
    }
  }
  std::vector<int32_t> mask(size_t(s.batch * s.seq), 1);
  std::fill(mask.begin() + s.seq + 120, mask.end(), 0);  // the second sequence padded after 120 tokens
  const Tensor out = disentangled_attention(q, k, v, pos_key, pos_query, c2p, p2c, mask, s);
  double err = 0;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      const auto row = [&](const Tensor& t, int64_t r) { return t.f32() + r * width + h * s.head_dim; };
      for (int64_t i = 0; i < s.seq; ++i) {
        std::vector<double> scores(size_t(s.seq));
        std::vector<bool> visible(size_t(s.seq));
        for (int64_t j = 0; j < s.seq; ++j) {
          const size_t at = size_t(i * s.seq + j);
          scores[size_t(j)] = (dot(row(q, b * s.seq + i), row(k, b * s.seq + j), s.head_dim) +
                               dot(row(q, b * s.seq + i), row(pos_key, c2p[at]), s.head_dim) +
                               dot(row(k, b * s.seq + j), row(pos_query, p2c[at]), s.head_dim)) / s.scale;
          visible[size_t(j)] = mask[size_t(b * s.seq + j)] != 0;
        }
        const auto want = attend(scores, visible, [&](int64_t j) { return row(v, b * s.seq + j); }, s.head_dim);
        for (int64_t d = 0; d < s.head_dim; ++d) err = worse(err, std::abs(row(out, b * s.seq + i)[d] - want[size_t(d)]));
      }
    }
  }
  CHECK(err < 1e-5);  // float32 sums of 150 terms against double
}

TEST_CASE("causal_attention matches its definition over several query blocks", "[attention]") {
  struct Case {
    const char* what;
    int64_t seq, past, window;
    bool padded;
  };
  // Prompts of several 64-query blocks (the last of one row), with left padding whose first queries see
  // nothing, and a sliding window; a decode step (one query) with no mask, as generate() passes it.
  const Case cases[] = {{"prompt after 20 cached tokens, padded", 140, 20, 0, true},
                        {"the same with a sliding window of 50", 140, 20, 50, true},
                        {"prompt of 129 rows, no cache", 129, 0, 0, true},
                        {"decode step, no mask", 1, 199, 0, false},
                        {"decode step, sliding window of 50", 1, 199, 50, false}};
  for (const Case& c : cases) {
    // batch, seq, heads, kv_heads, head_dim, past, capacity, sliding_window, scale
    const CausalAttentionShape s{2, c.seq, 4, 2, 8, c.past, 200, c.window, 0.3f};
    const int64_t width = s.heads * s.head_dim, total = s.past + s.seq;
    const Tensor q = random_tensor({s.batch * s.seq, width}, 6);
    const auto keys = random_floats(size_t(s.batch * s.kv_heads * s.capacity * s.head_dim), 7);
    const auto values = random_floats(keys.size(), 8);
    std::vector<int32_t> mask;
    if (c.padded) {
      mask.assign(size_t(s.batch * total), 1);
      std::fill_n(mask.begin(), 30, 0);  // the first sequence left-padded
    }
    Tensor out = Tensor::zeros(DType::F32, q.shape());
    causal_attention(q, keys.data(), values.data(), mask, s, out);
    double err = 0;
    for (int64_t b = 0; b < s.batch; ++b) {
      for (int64_t h = 0; h < s.heads; ++h) {
        const float* cache_k = keys.data() + (b * s.kv_heads + h / 2) * s.capacity * s.head_dim;
        const float* cache_v = values.data() + (b * s.kv_heads + h / 2) * s.capacity * s.head_dim;
        for (int64_t i = 0; i < s.seq; ++i) {
          const int64_t qpos = s.past + i;
          const float* query = q.f32() + (b * s.seq + i) * width + h * s.head_dim;
          std::vector<double> scores(static_cast<size_t>(total));
          std::vector<bool> visible(static_cast<size_t>(total));
          for (int64_t j = 0; j < total; ++j) {
            scores[size_t(j)] = dot(query, cache_k + j * s.head_dim, s.head_dim) * s.scale;
            visible[size_t(j)] = j <= qpos && (c.window == 0 || j > qpos - c.window) &&
                                 (mask.empty() || mask[size_t(b * total + j)]);
          }
          const auto want = attend(scores, visible, [&](int64_t j) { return cache_v + j * s.head_dim; }, s.head_dim);
          const float* got = out.f32() + (b * s.seq + i) * width + h * s.head_dim;
          for (int64_t d = 0; d < s.head_dim; ++d) err = worse(err, std::abs(got[d] - want[size_t(d)]));
        }
      }
    }
    INFO(c.what);
    CHECK(err < 1e-5);  // float32 sums against double
  }
}

TEST_CASE("disentangled_attention refuses relative-position indices outside its table", "[attention][errors]") {
  // batch, seq, heads, head_dim, positions, scale
  const DisentangledAttentionShape s{1, 4, 1, 8, 6, 1.0f};
  const Tensor q = random_tensor({s.seq, s.head_dim}, 1), table = random_tensor({s.positions, s.head_dim}, 2);
  const std::vector<int32_t> mask(size_t(s.seq), 1), in_range(size_t(s.seq * s.seq), 5);
  for (const int32_t bad : {-1, 6}) {
    std::vector<int32_t> index = in_range;
    index[7] = bad;
    for (const bool c2p : {true, false}) {
      INFO((c2p ? "c2p" : "p2c") << " index " << bad);
      try {
        disentangled_attention(q, q, q, table, table, c2p ? index : in_range, c2p ? in_range : index, mask, s);
        FAIL("accepted");
      } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK_THAT(e.what(), Catch::Contains("disentangled_attention: inconsistent shapes"));
      }
    }
  }
  CHECK(disentangled_attention(q, q, q, table, table, in_range, in_range, mask, s).shape() == q.shape());
}
