// A persistent pool of worker threads and `parallel_for` over index ranges.
//
// Workers are created by set_num_threads() and live until exit: no thread is
// started per call (in WebAssembly a thread can only start on a Web Worker of
// the pre-created pool, and the browser's main thread cannot wait for a new
// one). With one thread, parallel_for runs the body inline with no
// synchronisation. A parallel_for inside another one, or while another
// caller uses the pool, also runs inline, so nesting and concurrent callers
// are safe. Builds without thread support (the single-threaded wasm) accept
// only one thread.
#pragma once

#include <cstdint>

#include "core/function_ref.h"

namespace hubwasm::parallel {

// Threads the kernels split work across, the calling thread included
// (default 1). Throws Error(InvalidArgument) outside 1..max_threads().
void set_num_threads(int threads);
int num_threads();

// Upper limit for set_num_threads: 1 without thread support, else 256.
int max_threads();

// body(begin, end) over [0, count) cut into at most num_threads() contiguous
// chunks whose boundaries are multiples of `grain` (grain: the smallest
// worthwhile piece of work, and an alignment that keeps results identical to
// one call over the whole range). Returns when every chunk is done; the first
// exception thrown by a chunk is rethrown here. Allocates nothing (decode
// steps call it many times).
void parallel_for(int64_t count, int64_t grain, FunctionRef<void(int64_t, int64_t)> body);

// A grain for parallel_for: the fewest items of `item_work` multiply-adds
// each that are worth handing to another thread (a wake-up costs tens of
// microseconds in wasm), rounded up to a multiple of `align`.
int64_t grain_for(int64_t item_work, int64_t align = 1);

}  // namespace hubwasm::parallel
