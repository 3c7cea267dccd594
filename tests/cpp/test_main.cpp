// Catch2's main. The kernels run on HUBWASM_TEST_THREADS threads (default 2),
// so every parity test goes through the threaded code paths.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "core/thread_pool.h"

int main(int argc, char** argv) {
  const char* threads = std::getenv("HUBWASM_TEST_THREADS");
  hubwasm::parallel::set_num_threads(threads ? std::atoi(threads) : 2);
  return Catch::Session().run(argc, argv);
}
