// libFuzzer target: the GGUF header reader (model/gguf_reader.h), then what `predict --model
// x.gguf` does with an accepted header (model/gguf_model.h): the architecture, the stored
// weights, and the tensor inventory and parameter count built from that architecture. The
// first 8 bytes of inputs starting with 0xFF also declare a file size larger than the buffer,
// as for a header read from the start of a big file.
#include <cstring>
#include <optional>

#include "fuzz/fuzz_util.h"
#include "model/gguf_model.h"
#include "model/gguf_reader.h"
#include "model/model_spec.h"

namespace {

void ParseAndImport(std::span<const uint8_t> bytes, std::optional<uint64_t> declared) {
  std::optional<siliconsim::GgufHeader> header;
  siliconsim::fuzz::ExpectInputErrorOrSuccess(
      [&] { header = siliconsim::ParseGgufHeader(bytes, "fuzz.gguf", declared); });
  if (!header) return;
  if (header->tensors.size() != header->tensor_count || header->metadata.size() != header->metadata_count) {
    __builtin_trap();
  }
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] { siliconsim::ImportedWeightsFromGguf(*header, "fuzz.gguf"); });
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    const siliconsim::ModelSpec spec = siliconsim::ModelSpecFromGguf(*header, "fuzz.gguf");
    siliconsim::CountParams(siliconsim::BuildTensorInventory(spec));
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ParseAndImport(std::span<const uint8_t>(data, size), std::nullopt);
  if (size > 9 && data[0] == 0xFF) {
    uint64_t declared = 0;
    std::memcpy(&declared, data + 1, sizeof declared);
    ParseAndImport(std::span<const uint8_t>(data + 9, size - 9), declared);
  }
  return 0;
}
