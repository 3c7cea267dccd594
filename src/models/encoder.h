// What every encoder architecture (BERT family) takes and returns.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/function_ref.h"
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

// Throws InvalidArgument when the arrays do not match batch*seq or when seq
// exceeds max_positions, the longest input the position embeddings cover.
void validate_encoder_input(const EncoderInput& input, int64_t max_positions);

// The sizes BERT-style config.json files name alike (bert, roberta, electra,
// albert, mpnet, deberta-v2), read and checked once: the heads divide
// hidden_size and every size is positive (InvalidConfig otherwise).
struct EncoderDims {
  int64_t vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size;
  int64_t max_position_embeddings;
  std::string hidden_act;
  double layer_norm_eps;

  // The defaults differ by architecture, as in each transformers config class.
  static EncoderDims from(const Config& config, int64_t default_max_positions, const std::string& default_act,
                          double default_eps);
};

// Throws UnsupportedFeature unless position_embedding_type is "absolute" (its default).
void require_absolute_positions(const Config& config);

// Throws InvalidConfig naming the file when a size is not positive.
void require_positive_sizes(const Config& config, std::initializer_list<int64_t> sizes);

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

// Copies `part`, the outputs of sequences b0.. of a batch of `batch`, into
// `whole` (allocated at the first slice; an empty `part` is skipped).
void stack_slice(const Tensor& part, int64_t b0, int64_t batch, Tensor& whole);

class EncoderModel {
 public:
  virtual ~EncoderModel() = default;
  // Runs the batch kSliceTokens tokens (whole sequences) at a time: sequences
  // do not see each other, so a batch of any size needs the activation memory
  // of one slice. `each(b0, b1, part)` gets the outputs of sequences [b0, b1)
  // in turn (it may move them out; they are dropped after the call), so a
  // caller that reduces them (pooling) never holds the token states of the
  // whole batch. An exception from `each` ends the run. InvalidArgument as
  // validate_encoder_input.
  void forward_slices(const EncoderInput& input,
                      FunctionRef<void(int64_t b0, int64_t b1, EncoderOutput& part)> each) const;
  // forward_slices, with the outputs stacked.
  EncoderOutput forward(const EncoderInput& input) const;
  virtual int64_t max_position_embeddings() const = 0;

  static constexpr int64_t kSliceTokens = 512;

 private:
  // The architecture's forward pass over one slice of the batch.
  virtual EncoderOutput forward_batch(const EncoderInput& input) const = 0;
};

}  // namespace hubwasm
