// Sentence-embedding pooling over token states, as sentence-transformers and
// transformers.js's feature-extraction pipeline do it.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace hubwasm {

// hidden: (batch, seq, dim); mask: batch*seq entries. -> (batch, dim)
Tensor mean_pool(const Tensor& hidden, const std::vector<int32_t>& mask);
Tensor cls_pool(const Tensor& hidden);
// Each row divided by max(||row||_2, 1e-12), as torch.nn.functional.normalize.
void l2_normalize_rows_inplace(Tensor& x);

}  // namespace hubwasm
