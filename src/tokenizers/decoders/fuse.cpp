// Fuse decoder: all tokens become one string.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class FuseDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

}  // namespace

DecoderPtr make_fuse_decoder(const json&, const JsonLoc&) { return std::make_shared<FuseDecoder>(); }

}  // namespace hubwasm::tok
