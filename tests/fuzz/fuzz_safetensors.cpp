// safetensors: header length, JSON header, tensor table, tensor views and
// the F16/BF16 -> F32 widening done while loading.
#include "core/tensor.h"
#include "fuzz_common.h"
#include "io/blob.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubwasm;
  try {
    const auto file = SafetensorsFile::parse(
        Blob::from_string(std::string_view(reinterpret_cast<const char*>(data), size), "model.safetensors"),
        "model.safetensors");
    for (const auto& [name, entry] : file.entries()) {
      const Tensor t = file.tensor(name);
      if (t.nbytes() != entry.end - entry.begin) std::abort();
      if (t.dtype() == DType::F32 || t.dtype() == DType::F16 || t.dtype() == DType::BF16) {
        const Tensor f = to_f32(t, name);
        volatile float sink = 0;
        for (int64_t i = 0; i < f.numel(); ++i) sink = sink + f.f32()[i];
      }
    }
    fuzz::ok("parsed");
  } catch (const Error& e) {
    fuzz::note(e);
  }
  return 0;
}
