#pragma once
// Helpers the loader and reader tests share.

#include <gtest/gtest.h>

#include <string>

#include "common/diagnostics.h"

namespace siliconsim::test {

/// The message of the InputError `fn` throws, or "" if it throws none.
template <typename Fn>
std::string ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

/// `text` with the first `from` replaced by `to`; a test failure if `from` is not there.
inline std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace siliconsim::test
