// libFuzzer target: the CLI's value parsers (common/value_parse.h). The first byte picks the
// parser; the rest is the text a user typed.
#include "common/value_parse.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = siliconsim::fuzz::AsText(data + 1, size - 1);
  siliconsim::fuzz::ExpectInputErrorOrSuccess([&] {
    switch (data[0] % 4) {
      case 0: {
        const int64_t v = siliconsim::ParseTokenCount(text);
        if (v < 0 || v > siliconsim::kMaxTokenCount) __builtin_trap();
        break;
      }
      case 1: {
        const auto list = siliconsim::ParseTokenList(text);
        if (list.empty() || list.size() > siliconsim::kMaxTokenListValues) __builtin_trap();
        for (int64_t v : list) {
          if (v < 0 || v > siliconsim::kMaxTokenCount) __builtin_trap();
        }
        break;
      }
      case 2: {
        const double gb = siliconsim::ParseMemoryGb(text);
        if (!(gb > 0 && gb <= siliconsim::kMaxMemoryGb)) __builtin_trap();
        break;
      }
      default: {
        for (const std::string& item : siliconsim::SplitList(text)) {
          if (item.empty()) __builtin_trap();
        }
        break;
      }
    }
  });
  return 0;
}
