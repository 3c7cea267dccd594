// The row order of the memory-bound kernels: four rows a quarter of the
// matrix apart at a time, so the weights arrive as four long sequential
// streams rather than one, or rows next to each other (measurements in
// gemv_f32_simd128.cpp).
#pragma once

#include <cstdint>

namespace hubwasm::kernels {

// Rows [begin, begin + count): quad(r, r + quarter, r + 2 quarter, r + 3 quarter)
// for every r of the first quarter, then single(r) for the count % 4 rows left.
template <class Quad, class Single>
void for_rows_a_quarter_apart(int64_t begin, int64_t count, Quad&& quad, Single&& single) {
  const int64_t quarter = count / 4;
  for (int64_t r = begin; r < begin + quarter; ++r) quad(r, r + quarter, r + 2 * quarter, r + 3 * quarter);
  for (int64_t r = begin + 4 * quarter; r < begin + count; ++r) single(r);
}

}  // namespace hubwasm::kernels
