#include "models/workspace.h"

#include <algorithm>

#include "core/error.h"

namespace hubwasm {

Tensor& Workspace::get(size_t slot, std::initializer_list<int64_t> dims) {
  if (slot >= kSlots) {
    throw Error(ErrorCode::InvalidArgument, "workspace: slot " + std::to_string(slot) + " out of range");
  }
  Slot& s = slots_[slot];
  const Shape& current = s.view.shape();
  if (!s.view.empty() && std::equal(dims.begin(), dims.end(), current.begin(), current.end())) return s.view;
  const Shape shape(dims);
  const int64_t needed = shape_numel(shape);
  if (s.storage.empty() || s.storage.numel() < needed) {
    const int64_t grown = s.storage.empty() ? needed : std::max(needed, 2 * s.storage.numel());
    s.view = s.storage = Tensor();  // the old values are not kept: free them before allocating
    s.storage = Tensor::zeros(DType::F32, {grown});
  }
  s.view = s.storage.slice_rows(0, needed).reshape(shape);
  return s.view;
}

}  // namespace hubwasm
