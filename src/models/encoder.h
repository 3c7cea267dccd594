// What every encoder architecture (BERT family) takes and returns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/config.h"
#include "io/weights.h"

namespace hubwasm {

// A right-padded batch, row-major (batch, seq), as tokenizers produce it.
struct EncoderInput {
  int64_t batch = 0;
  int64_t seq = 0;
  std::vector<int32_t> input_ids;
  std::vector<int32_t> attention_mask;  // 1 = token, 0 = padding
  std::vector<int32_t> token_type_ids;  // empty = all zeros
};

// Throws InvalidArgument when the arrays do not match batch*seq.
void validate_encoder_input(const EncoderInput& input);

// Which head to run, as the Auto class asks for it: AutoModel wants the base
// model even from a checkpoint saved with a head.
enum class Head { Base, SequenceClassification, TokenClassification, MaskedLM, QuestionAnswering };

// "base", "sequence-classification", "token-classification", "masked-lm",
// "question-answering"; InvalidArgument otherwise.
Head parse_head(const std::string& name);

struct EncoderOutput {
  Tensor last_hidden_state;  // (batch, seq, hidden)
  Tensor pooler_output;      // (batch, hidden), when the model has a pooler
  // SequenceClassification: (batch, num_labels); TokenClassification:
  // (batch, seq, num_labels); MaskedLM: (batch, seq, vocab_size).
  Tensor logits;
  Tensor start_logits, end_logits;  // (batch, seq), QuestionAnswering
};

class EncoderModel {
 public:
  virtual ~EncoderModel() = default;
  virtual EncoderOutput forward(const EncoderInput& input) const = 0;
  virtual int64_t max_position_embeddings() const = 0;
};

}  // namespace hubwasm
