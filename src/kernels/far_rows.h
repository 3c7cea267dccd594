// The row order of the memory-bound kernels: four rows a quarter of the
// matrix apart at a time, so the weights arrive as four long sequential
// streams rather than one, or rows next to each other (measurements in
// gemv_f32_simd128.cpp).
#pragma once

#include <cstdint>
#include <type_traits>

namespace hubwasm::kernels {

// How many rows one call of a for_rows_a_quarter_apart body gets: 4, or 1.
template <int R>
using RowCount = std::integral_constant<int, R>;

// Rows [begin, begin + count): rows(js, RowCount<4>) with
// js = {r, r + quarter, r + 2 quarter, r + 3 quarter} for every r of the first
// quarter, then rows(&r, RowCount<1>) for the count % 4 rows left. A body
// takes the count as a template argument: decltype(R)::value.
template <class Rows>
void for_rows_a_quarter_apart(int64_t begin, int64_t count, Rows&& rows) {
  const int64_t quarter = count / 4;
  for (int64_t r = begin; r < begin + quarter; ++r) {
    const int64_t js[4] = {r, r + quarter, r + 2 * quarter, r + 3 * quarter};
    rows(js, RowCount<4>{});
  }
  for (int64_t r = begin + 4 * quarter; r < begin + count; ++r) rows(&r, RowCount<1>{});
}

}  // namespace hubwasm::kernels
