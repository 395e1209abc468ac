#pragma once
// Shared by the libFuzzer targets: each feeds the input to one reader and accepts exactly one
// outcome besides success, an InputError (bad input reported properly). Anything else that
// escapes (another exception type, a crash, a sanitizer report, a hang, a huge allocation) is a
// finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "common/diagnostics.h"

namespace siliconsim::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `fn`, swallowing InputError only; a message must never be empty.
template <typename Fn>
void ExpectInputErrorOrSuccess(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    if (e.diagnostic().message.empty()) __builtin_trap();
  }
}

/// Runs `fn`, which must succeed: an InputError here is a finding (printed, then a crash).
template <typename Fn>
void RequireSuccess(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    std::fprintf(stderr, "unexpected InputError: %s\n", e.what());
    __builtin_trap();
  }
}

}  // namespace siliconsim::fuzz
