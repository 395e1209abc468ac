// Writes small GGUF files for the gguf_header fuzz target's seed corpus:
//   make_gguf_seeds DIR
// They use tests/model/gguf_test_writer.h, the writer the reader's tests use. The files in
// fuzz/corpus/gguf_header/ were made with it; rerun after changing the writer.
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/model/gguf_test_writer.h"

namespace gt = siliconsim::gguf_test;

namespace {

void Write(const std::string& dir, const std::string& name, const gt::Spec& spec) {
  const gt::Built built = gt::Build(spec);
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(built.bytes.data()), static_cast<std::streamsize>(built.bytes.size()));
}

gt::Spec TinyLlama() {
  gt::Spec s;
  s.metadata = {{"general.architecture", gt::Str("llama")},
                {"general.name", gt::Str("tiny")},
                {"general.file_type", gt::U32(2)},
                {"general.alignment", gt::U32(32)},
                {"llama.block_count", gt::U32(1)},
                {"llama.context_length", gt::U32(2048)},
                {"llama.embedding_length", gt::U32(64)},
                {"llama.feed_forward_length", gt::U32(128)},
                {"llama.attention.head_count", gt::U32(4)},
                {"llama.attention.head_count_kv", gt::U32(2)},
                {"llama.rope.freq_base", gt::F32(10000.0f)},
                {"llama.attention.layer_norm_rms_epsilon", gt::F32(1e-5f)},
                {"tokenizer.ggml.model", gt::Str("llama")},
                {"tokenizer.ggml.tokens", gt::StringArray({"<unk>", "<s>", "</s>", "a", "b"})},
                {"tokenizer.ggml.scores", gt::Array(gt::kF32, {gt::F32(0), gt::F32(0), gt::F32(0), gt::F32(-1), gt::F32(-2)})},
                {"tokenizer.ggml.bos_token_id", gt::U32(1)}};
  s.tensors = {gt::Tensor("token_embd.weight", {64, 5}, gt::kTypeF16),
               gt::Tensor("blk.0.attn_norm.weight", {64}, gt::kTypeF32),
               gt::Tensor("blk.0.attn_q.weight", {64, 64}, gt::kTypeQ4_0),
               gt::Tensor("blk.0.attn_k.weight", {64, 32}, gt::kTypeQ4_0),
               gt::Tensor("blk.0.attn_v.weight", {64, 32}, gt::kTypeQ8_0),
               gt::Tensor("blk.0.attn_output.weight", {64, 64}, gt::kTypeQ4_0),
               gt::Tensor("blk.0.ffn_norm.weight", {64}, gt::kTypeF32),
               gt::Tensor("blk.0.ffn_gate.weight", {64, 128}, gt::kTypeQ4_0),
               gt::Tensor("blk.0.ffn_up.weight", {64, 128}, gt::kTypeQ4_0),
               gt::Tensor("blk.0.ffn_down.weight", {128, 64}, gt::kTypeQ4_0),
               gt::Tensor("output_norm.weight", {64}, gt::kTypeF32),
               gt::Tensor("output.weight", {64, 5}, gt::kTypeF16)};
  s.write_data = false;  // the reader never reads tensor data; keep seeds small
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_gguf_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  gt::Spec llama = TinyLlama();
  Write(dir, "tiny_llama_v3.gguf", llama);
  llama.version = 2;
  Write(dir, "tiny_llama_v2.gguf", llama);

  gt::Spec scalars;
  scalars.metadata = {{"general.architecture", gt::Str("qwen3")}, {"u8", gt::U8(1)},     {"i8", gt::I8(-1)},
                      {"u16", gt::U16(2)},   {"i16", gt::I16(-2)}, {"u32", gt::U32(3)}, {"i32", gt::I32(-3)},
                      {"u64", gt::U64(4)},   {"i64", gt::I64(-4)}, {"f32", gt::F32(0.5f)}, {"f64", gt::F64(0.25)},
                      {"b", gt::Bool(true)}, {"nested", gt::Raw(gt::kArray, gt::ByteWriter{}
                                                                      .U32(gt::kArray)
                                                                      .U64(1)
                                                                      .U32(gt::kU8)
                                                                      .U64(2)
                                                                      .U8(7)
                                                                      .U8(8)
                                                                      .data)}};
  scalars.tensors = {gt::Tensor("t.weight", {32, 2}, gt::kTypeMXFP4)};
  Write(dir, "all_value_types.gguf", scalars);

  gt::Spec moe;
  moe.metadata = {{"general.architecture", gt::Str("qwen3moe")},
                  {"qwen3moe.block_count", gt::U32(1)},
                  {"qwen3moe.expert_count", gt::U32(4)},
                  {"qwen3moe.expert_used_count", gt::U32(2)}};
  moe.tensors = {gt::Tensor("blk.0.ffn_gate_exps.weight", {256, 32, 4}, gt::kTypeQ4_K),
                 gt::Tensor("blk.0.ffn_down_exps.weight", {32, 256, 4}, gt::kTypeQ8_0)};
  moe.write_data = false;
  Write(dir, "moe_3d_tensors.gguf", moe);

  gt::Spec empty;
  Write(dir, "empty_v3.gguf", empty);
  std::printf("wrote 5 seeds to %s\n", dir.c_str());
  return 0;
}
