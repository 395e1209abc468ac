#pragma once
// A model's weight tensors as GGUF names them: the common currency between the model
// database (which produces the inventory), the quantization rules (which pick a block type
// per tensor, as llama.cpp's quantizer does by name), GGUF import (which reads the real
// types) and the simulator (which reads the bytes).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace siliconsim {

/// One weight tensor. Shapes follow ggml: `ne[0]` is the row length (the input dimension of
/// a matmul, the one quantization blocks run along), `ne[1]` the number of rows (output
/// dimension), `ne[2]` the number of experts for stacked expert tensors; unused dims are 1.
struct TensorInfo {
  std::string name;  ///< GGUF name, e.g. `blk.3.attn_q.weight`, `blk.0.ffn_down_exps.weight`
  int layer = -1;    ///< block index, -1 for tensors outside the blocks (token_embd, output, output_norm)
  std::array<int64_t, 4> ne = {1, 1, 1, 1};
  int n_dims = 1;           ///< 1 for norms and biases, 2 for matrices, 3 for stacked experts
  int64_t experts = 0;      ///< routed experts stacked in this tensor (ne[2]); 0 if not an expert tensor
  int64_t active_experts = 0;  ///< how many of them one token uses

  /// Number of elements.
  int64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  /// Elements one token reads: all for dense tensors, active/experts of them for routed experts.
  int64_t active_elements() const {
    return experts > 0 ? elements() / experts * active_experts : elements();
  }
};

/// Every tensor of a model, in GGUF order (token_embd, blocks in order, output_norm, output).
using TensorInventory = std::vector<TensorInfo>;

}  // namespace siliconsim
