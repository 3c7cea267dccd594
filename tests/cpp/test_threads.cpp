// The thread pool and the threaded kernels: results with 2 and 3 threads
// must equal the single-threaded result exactly (the work is only ever cut
// where the single-threaded kernels compute the same values the same way).
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "ops/attention.h"
#include "ops/causal_attention.h"
#include "ops/disentangled_attention.h"
#include "ops/linear_q8.h"
#include "test_random.h"
#include "test_thread_scope.h"

using namespace hubwasm;
using kernels::BLayout;

namespace {

std::vector<float> values(const Tensor& t) { return {t.f32(), t.f32() + t.numel()}; }

// f() with 1 thread, then with 2 and 3: every result equal to the first.
template <class F>
void check_thread_count_invariant(F&& f) {
  std::vector<float> single;
  {
    Threads t(1);
    single = f();
  }
  for (int n : {2, 3}) {
    Threads t(n);
    INFO(n << " threads");
    CHECK(f() == single);
  }
}

}  // namespace

TEST_CASE("parallel_for covers every index once, aligned to the grain", "[threads]") {
  for (int threads : {1, 2, 3}) {
    Threads t(threads);
    for (int64_t count : {1, 5, 64, 1000, 1003}) {
      for (int64_t grain : {1, 4, 8, 300}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
        std::atomic<int> chunks{0};
        parallel::parallel_for(count, grain, [&](int64_t begin, int64_t end) {
          CHECK(begin % grain == 0);
          CHECK(begin < end);
          ++chunks;
          for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
        });
        INFO("threads=" << threads << " count=" << count << " grain=" << grain);
        for (const auto& h : hits) CHECK(h == 1);
        CHECK(chunks <= threads);
      }
    }
  }
}

TEST_CASE("parallel_for uses the workers, runs nested calls inline and rethrows", "[threads]") {
  Threads t(3);
  CHECK(parallel::num_threads() == 3);
  std::atomic<int> outer{0}, inner{0};
  std::mutex ids_mutex;
  std::set<std::thread::id> ids;
  parallel::parallel_for(3, 1, [&](int64_t, int64_t) {
    ++outer;
    {
      std::lock_guard<std::mutex> lock(ids_mutex);
      ids.insert(std::this_thread::get_id());
    }
    // A nested call runs on the calling thread as one chunk.
    parallel::parallel_for(10, 1, [&](int64_t b, int64_t e) {
      CHECK(b == 0);
      CHECK(e == 10);
      ++inner;
    });
  });
  CHECK(outer == 3);
  CHECK(inner == 3);
  CHECK(ids.size() == 3);  // the caller and two workers
  CHECK_THROWS_WITH(parallel::parallel_for(3, 1,
                                           [](int64_t b, int64_t) {
                                             if (b == 2) throw std::runtime_error("chunk 2 failed");
                                           }),
                    "chunk 2 failed");
  // The pool still works after a failed job.
  std::atomic<int> after{0};
  parallel::parallel_for(3, 1, [&](int64_t, int64_t) { ++after; });
  CHECK(after == 3);
}

TEST_CASE("set_num_threads rejects counts outside 1..max_threads()", "[threads]") {
  const int before = parallel::num_threads();
  for (int bad : {0, -1, parallel::max_threads() + 1}) {
    try {
      parallel::set_num_threads(bad);
      FAIL("no error for " << bad);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::InvalidArgument);
    }
  }
  CHECK(parallel::num_threads() == before);
}

TEST_CASE("gemm_f32 and gemv_f32 give the same result with 1, 2 and 3 threads", "[threads][kernels]") {
  struct Case {
    // m == 1: GEMV (NK: column split; KN: row segments); NK with m <= kNkDotMaxRows: dot products,
    // column split; else n >= m: packed, column split; else packed, row split. Odd n and k: the far-rows tails.
    int64_t m, n, k;
  };
  for (const Case c : {Case{1, 1030, 300}, Case{1, 2051, 129}, Case{5, 600, 257}, Case{5, 603, 257}, Case{70, 600, 100},
                       Case{130, 41, 70}}) {
    for (BLayout layout : {BLayout::NK, BLayout::KN}) {
      const auto a = random_floats(size_t(c.m * c.k), 1);
      const auto b = random_floats(size_t(c.n * c.k), 2);
      const auto bias = random_floats(size_t(c.n), 3);
      const int64_t ldb = layout == BLayout::NK ? c.k : c.n;
      INFO("m=" << c.m << " n=" << c.n << " k=" << c.k << (layout == BLayout::NK ? " NK" : " KN"));
      check_thread_count_invariant([&] {
        std::vector<float> out(size_t(c.m * c.n));
        kernels::gemm_f32(c.m, c.n, c.k, a.data(), c.k, b.data(), ldb, layout, bias.data(), out.data(), c.n);
        return out;
      });
    }
  }
}

TEST_CASE("gemm_q8_parallel gives gemm_q8's result with 1, 2 and 3 threads", "[threads][kernels][q8]") {
  for (int64_t m : {1, 3, 9}) {
    const int64_t n = 701, k = 384;
    const LinearQ8 q = quantize_q8(random_tensor({n, k}, 4), false, 32);
    const kernels::Q8Weights w = q.view();
    const auto x = random_floats(size_t(m * k), 5);
    const auto bias = random_floats(size_t(n), 6);
    std::vector<float> serial(size_t(m * n));
    kernels::gemm_q8(m, x.data(), k, w, bias.data(), serial.data(), n);
    INFO("m=" << m);
    check_thread_count_invariant([&] {
      std::vector<float> out(size_t(m * n));
      kernels::gemm_q8_parallel(m, x.data(), k, w, bias.data(), out.data(), n);
      CHECK(out == serial);
      return out;
    });
  }
}

TEST_CASE("attention heads split across threads give the same context", "[threads][attention]") {
  SECTION("self_attention, padded batch") {
    const AttentionShape s{2, 48, 4, 32};
    const Tensor q = random_tensor({s.batch * s.seq, s.heads * s.head_dim}, 7);
    const Tensor k = random_tensor(q.shape(), 8);
    const Tensor v = random_tensor(q.shape(), 9);
    std::vector<int32_t> mask(size_t(s.batch * s.seq), 1);
    for (int64_t i = 40; i < s.seq; ++i) mask[size_t(s.seq + i)] = 0;  // second row padded
    check_thread_count_invariant([&] { return values(self_attention(q, k, v, mask, s)); });
  }
  SECTION("disentangled_attention (DeBERTa), padded batch") {
    const DisentangledAttentionShape s{2, 70, 4, 16, 32, 6.9f};  // batch, seq, heads, head_dim, positions, scale
    const Tensor q = random_tensor({s.batch * s.seq, s.heads * s.head_dim}, 13);
    const Tensor k = random_tensor(q.shape(), 14), v = random_tensor(q.shape(), 15);
    const Tensor pos_key = random_tensor({s.positions, s.heads * s.head_dim}, 16);
    const Tensor pos_query = random_tensor(pos_key.shape(), 17);
    std::vector<int32_t> c2p(size_t(s.seq * s.seq)), p2c(c2p.size());
    for (size_t i = 0; i < c2p.size(); ++i) {
      c2p[i] = int32_t(i * 7 % 32);
      p2c[i] = int32_t(i * 11 % 32);
    }
    std::vector<int32_t> mask(size_t(s.batch * s.seq), 1);
    for (int64_t i = 50; i < s.seq; ++i) mask[size_t(s.seq + i)] = 0;  // second row padded
    check_thread_count_invariant(
        [&] { return values(disentangled_attention(q, k, v, pos_key, pos_query, c2p, p2c, mask, s)); });
  }
  SECTION("causal_attention over a KV cache, grouped heads") {
    CausalAttentionShape s;
    s.batch = 2;
    s.seq = 20;
    s.heads = 6;
    s.kv_heads = 2;
    s.head_dim = 32;
    s.past = 30;
    s.capacity = 64;
    s.scale = 0.125f;
    const Tensor q = random_tensor({s.batch * s.seq, s.heads * s.head_dim}, 10);
    const auto kc = random_floats(size_t(s.batch * s.kv_heads * s.capacity * s.head_dim), 11);
    const auto vc = random_floats(kc.size(), 12);
    std::vector<int32_t> mask(size_t(s.batch * (s.past + s.seq)), 1);
    for (int64_t j = 0; j < 5; ++j) mask[size_t(j)] = 0;  // left padding in row 0
    check_thread_count_invariant([&] {
      Tensor out = Tensor::zeros(DType::F32, q.shape());
      causal_attention(q, kc.data(), vc.data(), mask, s, out);
      return values(out);
    });
  }
}
