// Sets the thread count for one scope and restores the previous one after it
// (test_main.cpp runs the whole suite on HUBWASM_TEST_THREADS threads).
#pragma once

#include "core/thread_pool.h"

struct Threads {
  explicit Threads(int n) : previous(hubwasm::parallel::num_threads()) { hubwasm::parallel::set_num_threads(n); }
  ~Threads() { hubwasm::parallel::set_num_threads(previous); }
  const int previous;
};
