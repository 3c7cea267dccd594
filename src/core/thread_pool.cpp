#include "core/thread_pool.h"

#include <algorithm>
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

// Runs task(i) for i in [0, tasks): the caller takes i = 0, worker w takes
// i = w + 1. Workers sleep on a condition variable between jobs.
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
      pending_ = tasks - 1;
      error_ = nullptr;
      ++generation_;
    }
    start_.notify_all();
    std::exception_ptr caller_error;
    try {
      task(0);
    } catch (...) {
      caller_error = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (caller_error) std::rethrow_exception(caller_error);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(int index) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index + 1 >= tasks_) continue;  // not needed for this job
      const FunctionRef<void(int)>* task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)(index + 1);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (error && !error_) error_ = error;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const FunctionRef<void(int)>* task_ = nullptr;
  int tasks_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
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
