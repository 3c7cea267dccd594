#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/allocation_budget.h"
#include "core/error.h"

namespace hubwasm {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F64: case DType::I64: return 8;
    case DType::F32: case DType::I32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: return 2;
    case DType::I8: case DType::U8: case DType::Bool: return 1;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
  }
  return "?";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor Tensor::zeros(DType dtype, const Shape& shape) { return allocate(dtype, shape, true); }

Tensor Tensor::uninitialized(DType dtype, const Shape& shape) { return allocate(dtype, shape, false); }

Tensor Tensor::allocate(DType dtype, const Shape& shape, bool zeroed) {
  for (int64_t d : shape) {
    if (d < 0) throw Error(ErrorCode::InvalidArgument, "negative dimension in " + shape_to_string(shape));
  }
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
  // calloc: natively the OS hands out zeroed pages cheaply; wasm's dlmalloc clears with memset.
  const bool charged = charge_allocation(bytes);
  void* p = !charged ? nullptr : zeroed ? std::calloc(bytes ? bytes : 1, 1) : std::malloc(bytes ? bytes : 1);
  if (!p) {
    if (charged) release_allocation(bytes);
    throw Error(ErrorCode::OutOfMemory,
                "cannot allocate " + std::to_string(bytes) + " bytes for a tensor of shape " +
                    shape_to_string(shape));
  }
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.storage_ = std::shared_ptr<void>(p, AccountedFree{bytes});
  t.data_ = p;
  return t;
}

Tensor Tensor::view_of(std::shared_ptr<const void> owner, const void* data, DType dtype,
                       const Shape& shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.storage_ = std::move(owner);
  t.data_ = const_cast<void*>(data);  // views of loaded files are only read
  return t;
}

const float* Tensor::f32() const {
  if (dtype_ != DType::F32) throw Error(ErrorCode::InvalidArgument, "tensor is not float32");
  return static_cast<const float*>(data_);
}

float* Tensor::f32() {
  if (dtype_ != DType::F32) throw Error(ErrorCode::InvalidArgument, "tensor is not float32");
  return static_cast<float*>(data_);
}

Tensor Tensor::reshape(const Shape& shape) const {
  if (shape_numel(shape) != numel()) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  }
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::slice_rows(int64_t begin, int64_t end) const {
  if (rank() == 0 || begin < 0 || end < begin || end > shape_[0]) {
    throw Error(ErrorCode::InvalidArgument, "row slice [" + std::to_string(begin) + ", " +
                                                std::to_string(end) + ") out of range for " +
                                                shape_to_string(shape_));
  }
  Tensor t = *this;
  t.shape_[0] = end - begin;
  const size_t row_bytes = shape_[0] ? nbytes() / static_cast<size_t>(shape_[0]) : 0;
  t.data_ = static_cast<uint8_t*>(data_) + static_cast<size_t>(begin) * row_bytes;
  return t;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t f32_to_f16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) return sign | (abs > 0x7f800000u ? 0x7e00 : 0x7c00);  // NaN / inf
  if (abs >= 0x477ff000u) return sign | 0x7c00;  // rounds to above 65504: inf
  if (abs < 0x38800000u) {                        // below 2^-14: an f16 subnormal (or zero)
    if (abs < 0x33000000u) return sign;           // below half the smallest subnormal
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const int shift = 126 - static_cast<int>(abs >> 23);  // 14..24: mant * 2^(e-127) / 2^-24
    const uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    return sign | static_cast<uint16_t>(half + (rest > mid || (rest == mid && (half & 1))));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even
  // (a carry into the exponent is the correct result).
  const uint32_t rebased = abs - (112u << 23);
  const uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1);
  return sign | static_cast<uint16_t>(rounded >> 13);
}

float bf16_to_f32(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

namespace {

void require_float(const Tensor& t, const std::string& what) {
  if (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16) {
    throw Error(ErrorCode::UnsupportedFeature,
                what + ": dtype " + dtype_name(t.dtype()) + " cannot be used as floating point weights");
  }
}

}  // namespace

void read_f32(const Tensor& t, int64_t begin, int64_t count, float* dst, const std::string& what) {
  require_float(t, what);
  if (t.dtype() == DType::F32) {
    std::memcpy(dst, t.f32() + begin, static_cast<size_t>(count) * sizeof(float));
    return;
  }
  const auto* src = static_cast<const uint8_t*>(t.data()) + 2 * begin;
  const bool is_f16 = t.dtype() == DType::F16;
  for (int64_t i = 0; i < count; ++i) {
    uint16_t v;
    std::memcpy(&v, src + 2 * i, 2);  // file data may be unaligned
    dst[i] = is_f16 ? f16_to_f32(v) : bf16_to_f32(v);
  }
}

void read_columns_f32(const Tensor& t, int64_t col, int64_t count, float* dst, int64_t dst_stride,
                      const std::string& what) {
  require_float(t, what);
  const int64_t rows = t.dim(0), cols = t.dim(1);
  constexpr int64_t kRun = 16;
  float widened[kRun];
  for (int64_t c0 = 0; c0 < count; c0 += kRun) {
    const int64_t run_length = std::min(kRun, count - c0);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t begin = r * cols + col + c0;
      const float* run = widened;
      if (t.dtype() == DType::F32) {
        run = t.f32() + begin;  // in place
      } else {
        read_f32(t, begin, run_length, widened, what);
      }
      for (int64_t c = 0; c < run_length; ++c) dst[(c0 + c) * dst_stride + r] = run[c];
    }
  }
}

void check_output(const Tensor& out, int64_t rows, int64_t cols, const char* op) {
  if (out.dtype() != DType::F32 || out.rank() == 0 || out.dim(out.rank() - 1) != cols || out.numel() != rows * cols) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": output " + shape_to_string(out.shape()) +
                                                " cannot hold (" + std::to_string(rows) + ", " + std::to_string(cols) +
                                                ") float32 values");
  }
}

Tensor to_f32(const Tensor& t, const std::string& what) {
  if (t.dtype() == DType::F32) return t;
  require_float(t, what);  // before allocating
  Tensor out = Tensor::zeros(DType::F32, t.shape());
  read_f32(t, 0, t.numel(), out.f32(), what);
  return out;
}

}  // namespace hubwasm
