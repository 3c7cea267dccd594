#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/error.h"

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define HUBWASM_HAS_THREADS 0
#else
#define HUBWASM_HAS_THREADS 1
#endif

namespace hubwasm::parallel {
namespace {

// Spins (checking an atomic) for up to `budget` before the caller falls back
// to blocking. A decode step is dozens of parallel regions of 0.1-0.2 ms with
// short serial gaps; waking a sleeping thread costs tens of microseconds
// (futex natively, Atomics.wait/notify between Web Workers), so workers and
// the caller spin across the gaps and only sleep when the work stops.
template <typename Done>
bool spin_until(Done done, std::chrono::microseconds budget) {
  const auto end = std::chrono::steady_clock::now() + budget;
  for (int i = 1;; ++i) {
    if (done()) return true;
    if (i % 64 == 0) {
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::yield();  // more threads than free cores: let the one with work run
    }
  }
}

constexpr std::chrono::microseconds kSpinBudget{200};

// Runs task(i) for i in [0, tasks): the caller takes i = 0, worker w takes
// i = w + 1. A job is published under the mutex and announced by bumping
// `generation_`; workers spin on it for a while after each job, then sleep on
// a condition variable.
class ThreadPool {
 public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    start_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  int workers() const { return static_cast<int>(workers_.size()); }

  // Grows the pool to `count` workers (never shrinks: see the header).
  void grow(int count) {
    while (workers() < count) {
      const int index = workers();
      try {
        workers_.emplace_back([this, index] { work(index); });
      } catch (const std::system_error& e) {
        // Emscripten: no free Web Worker left in the pthread pool.
        throw Error(ErrorCode::InvalidArgument, "set_num_threads: could not start worker thread " +
                                                    std::to_string(index + 1) + ": " + e.what());
      }
    }
  }

  void run(int tasks, FunctionRef<void(int)> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;  // valid until every worker is done, below
      tasks_ = tasks;
      pending_.store(tasks - 1, std::memory_order_relaxed);
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
    }
    start_.notify_all();
    std::exception_ptr caller_error;
    try {
      task(0);
    } catch (...) {
      caller_error = std::current_exception();
    }
    const auto finished = [this] { return pending_.load(std::memory_order_acquire) == 0; };
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    if (!spin_until(finished, kSpinBudget)) {
      lock.lock();
      done_.wait(lock, finished);
    } else {
      lock.lock();  // orders the read of error_ after the workers' writes
    }
    task_ = nullptr;
    if (caller_error) std::rethrow_exception(caller_error);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(int index) {
    uint64_t seen = 0;
    for (;;) {
      const auto published = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
      if (!spin_until(published, kSpinBudget)) {
        lock.lock();
        start_.wait(lock, [&] { return stop_ || published(); });
        if (stop_) return;
      } else {
        lock.lock();  // the job fields were written under the mutex
      }
      seen = generation_.load(std::memory_order_relaxed);
      if (index + 1 >= tasks_) continue;  // not needed for this job
      const FunctionRef<void(int)>* task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)(index + 1);
      } catch (...) {
        error = std::current_exception();
      }
      if (error) {
        std::lock_guard<std::mutex> guard(mutex_);
        if (!error_) error_ = error;
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> guard(mutex_);  // a caller past its spin waits on done_
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const FunctionRef<void(int)>* task_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
  std::exception_ptr error_;
};

std::mutex g_config_mutex;  // guards g_pool and g_threads
std::unique_ptr<ThreadPool> g_pool;
int g_threads = 1;
// Held by the caller of a parallel run; a second caller runs inline instead.
std::mutex g_busy;
thread_local bool t_in_parallel = false;
struct InParallel {
  InParallel() { t_in_parallel = true; }
  ~InParallel() { t_in_parallel = false; }
};

}  // namespace

int max_threads() { return HUBWASM_HAS_THREADS ? 256 : 1; }

void set_num_threads(int threads) {
  if (threads < 1 || threads > max_threads()) {
    throw Error(ErrorCode::InvalidArgument, "set_num_threads: " + std::to_string(threads) +
                                                " threads requested; this build allows 1 to " +
                                                std::to_string(max_threads()));
  }
  std::lock_guard<std::mutex> busy(g_busy);  // not while a job runs
  std::lock_guard<std::mutex> lock(g_config_mutex);
  if (threads > 1) {
    if (!g_pool) g_pool = std::make_unique<ThreadPool>();
    g_pool->grow(threads - 1);
  }
  g_threads = threads;
}

int num_threads() {
  std::lock_guard<std::mutex> lock(g_config_mutex);
  return g_threads;
}

int64_t grain_for(int64_t item_work, int64_t align) {
  constexpr int64_t kMinChunkWork = int64_t{1} << 17;
  item_work = std::max<int64_t>(item_work, 1);
  align = std::max<int64_t>(align, 1);
  const int64_t items = std::max<int64_t>((kMinChunkWork + item_work - 1) / item_work, 1);
  return (items + align - 1) / align * align;
}

void parallel_for(int64_t count, int64_t grain, FunctionRef<void(int64_t, int64_t)> body) {
  if (count <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t pieces = (count + grain - 1) / grain;
  const int threads = num_threads();
  std::unique_lock<std::mutex> busy(g_busy, std::defer_lock);
  if (threads == 1 || pieces == 1 || t_in_parallel || !busy.try_lock()) {
    body(0, count);
    return;
  }
  const int64_t chunks = std::min<int64_t>(threads, pieces);
  const int64_t chunk = (pieces + chunks - 1) / chunks * grain;
  const int tasks = static_cast<int>((count + chunk - 1) / chunk);
  g_pool->run(tasks, [&](int i) {
    const InParallel scope;
    const int64_t begin = i * chunk;
    body(begin, std::min(count, begin + chunk));
  });
}

}  // namespace hubwasm::parallel
