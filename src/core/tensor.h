// Tensor: a dtype, a row-major shape and a pointer into shared storage.
// Copying a Tensor or taking a view shares the storage; nothing is duplicated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hubwasm {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // safetensors spelling: "F32", "BF16", ...

using Shape = std::vector<int64_t>;
int64_t shape_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;

  // A new zero-filled tensor that owns its storage.
  static Tensor zeros(DType dtype, const Shape& shape);
  // The same with unspecified contents, for a buffer its caller fills whole
  // at once (bytes copied in from a file): no pass to clear it first.
  static Tensor uninitialized(DType dtype, const Shape& shape);
  // A tensor over bytes owned by `owner` (for example a safetensors file).
  static Tensor view_of(std::shared_ptr<const void> owner, const void* data, DType dtype,
                        const Shape& shape);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool empty() const { return data_ == nullptr; }

  const void* data() const { return data_; }
  void* mutable_data() { return data_; }
  const float* f32() const;
  float* f32();

  // Same storage, new shape with the same element count.
  Tensor reshape(const Shape& shape) const;
  // Rows [begin, end) along the first dimension, without copying.
  Tensor slice_rows(int64_t begin, int64_t end) const;

 private:
  static Tensor allocate(DType dtype, const Shape& shape, bool zeroed);

  DType dtype_ = DType::F32;
  Shape shape_;
  std::shared_ptr<const void> storage_;
  void* data_ = nullptr;  // mutable only for tensors created by zeros()
};

// Throws InvalidArgument naming `op` unless `out` is a float32 tensor of
// rows * cols elements whose last dimension is cols: the output buffer of an
// op that writes into memory its caller owns (a decoder's workspace).
void check_output(const Tensor& out, int64_t rows, int64_t cols, const char* op);

// Returns `t` as float32: f32 is returned as is (no copy); f16 and bf16 are
// widened into a new tensor. Other dtypes are an error naming `what`.
Tensor to_f32(const Tensor& t, const std::string& what);
// Elements [begin, begin + count) of an f32, f16 or bf16 tensor as float32
// (16-bit values widened exactly); other dtypes are an error naming `what`.
void read_f32(const Tensor& t, int64_t begin, int64_t count, float* dst, const std::string& what);
// Columns [col, col + count) of a 2-D f32, f16 or bf16 tensor as float32
// rows: column col + c goes to dst + c * dst_stride. Reads run along each
// row, count values at a time (not one value a row apart), which is what
// makes transposing a GPT-2 Conv1D weight [in, out] while loading fast.
void read_columns_f32(const Tensor& t, int64_t col, int64_t count, float* dst, int64_t dst_stride,
                      const std::string& what);

float f16_to_f32(uint16_t h);
// Round to nearest even; overflow gives +-inf, NaN stays NaN (quiet).
uint16_t f32_to_f16(float f);
float bf16_to_f32(uint16_t b);

}  // namespace hubwasm
