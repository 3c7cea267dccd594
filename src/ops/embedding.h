// Row gather from an embedding table.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"

namespace hubwasm {

// out[i] += table[ids[i]] (out: (ids.size(), hidden)). Ids outside the table
// throw InvalidArgument naming `what` (for example "input_ids").
void add_embedding(Tensor& out, const Tensor& table, const std::vector<int32_t>& ids, const std::string& what);

}  // namespace hubwasm
