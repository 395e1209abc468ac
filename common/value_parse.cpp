#include "common/value_parse.h"

#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "common/diagnostics.h"
#include "common/text.h"

namespace siliconsim {
namespace {

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// The text as shown in a message: quoted, and cut short so a pasted file cannot flood stderr.
std::string Quote(std::string_view s) {
  constexpr size_t kShown = 64;
  if (s.size() <= kShown) return fmt::format("'{}'", s);
  return fmt::format("'{}...'", s.substr(0, kShown));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A non-empty run of decimal digits and nothing else, or nullopt; `too_big` is set when it
// does not fit int64_t.
std::optional<int64_t> Digits(std::string_view s, bool& too_big) {
  too_big = false;
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
  }
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    too_big = true;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

int64_t ParseTokenCount(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) throw UsageError("expected a token count like 512 or 4k, got an empty value");
  if (t.front() == '-') throw UsageError(fmt::format("token count {} is negative", Quote(t)));
  int64_t multiplier = 1;
  std::string_view digits = t;
  const char last = t.back();
  if (last == 'k' || last == 'K') multiplier = 1024;
  if (last == 'm' || last == 'M') multiplier = 1024 * 1024;
  if (multiplier != 1) digits.remove_suffix(1);
  bool too_big = false;
  const std::optional<int64_t> value = Digits(digits, too_big);
  const std::string too_large =
      fmt::format("token count {} is larger than the {} (2^40) allowed", Quote(t), kMaxTokenCount);
  if (too_big) throw UsageError(too_large);
  if (!value) {
    throw UsageError(fmt::format(
        "{} is not a token count; write a whole number like 512, 4k (4096) or 1m (1048576)", Quote(t)));
  }
  if (*value > kMaxTokenCount / multiplier) throw UsageError(too_large);
  return *value * multiplier;
}

std::vector<int64_t> ParseTokenList(std::string_view text) {
  if (Trim(text).empty()) {
    throw UsageError(
        "expected a list of token counts like 1k,2k,4k or a range like 1k..128k:x2, got an empty value");
  }
  std::vector<int64_t> values;
  const auto add = [&](int64_t v) {
    if (values.size() >= kMaxTokenListValues) {
      throw UsageError(fmt::format("{} expands to more than {} values", Quote(Trim(text)), kMaxTokenListValues));
    }
    values.push_back(v);
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) {
      throw UsageError(fmt::format("{} has an empty item; separate counts with single commas", Quote(Trim(text))));
    }
    const size_t dots = item.find("..");
    if (dots == std::string_view::npos) {
      add(ParseTokenCount(item));
      continue;
    }
    const size_t colon = item.find(':', dots);
    if (colon == std::string_view::npos) {
      throw UsageError(fmt::format("range {} needs a step: append :x2 to multiply by 2 or :+512 to add 512",
                                   Quote(item)));
    }
    const int64_t first = ParseTokenCount(item.substr(0, dots));
    const int64_t last = ParseTokenCount(item.substr(dots + 2, colon - dots - 2));
    const std::string_view step = Trim(item.substr(colon + 1));
    if (first > last) {
      throw UsageError(fmt::format("range {} runs backwards: {} is greater than {}", Quote(item), first, last));
    }
    if (!step.empty() && (step.front() == 'x' || step.front() == 'X')) {
      bool too_big = false;
      const std::optional<int64_t> factor = Digits(step.substr(1), too_big);
      if (!factor || *factor < 2) {
        throw UsageError(fmt::format("range {}: the factor must be a whole number of at least 2, got {}",
                                     Quote(item), Quote(step.substr(1))));
      }
      if (first == 0) {
        throw UsageError(fmt::format("range {}: a geometric range must start above 0 (list 0 on its own: 0,1..)",
                                     Quote(item)));
      }
      for (int64_t v = first;;) {
        add(v);
        if (v > last / *factor) break;
        v *= *factor;
      }
    } else if (!step.empty() && step.front() == '+') {
      const int64_t increment = ParseTokenCount(step.substr(1));
      if (increment == 0) throw UsageError(fmt::format("range {}: the step must be greater than 0", Quote(item)));
      for (int64_t v = first;;) {
        add(v);
        if (last - v < increment) break;
        v += increment;
      }
    } else {
      throw UsageError(fmt::format("range {}: the step must be xN (multiply by N) or +N (add N), got {}",
                                   Quote(item), Quote(step)));
    }
  }
  return values;
}

double ParseMemoryGb(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) throw UsageError("expected a memory size in GB like 48 or 48GB, got an empty value");
  const std::string junk = fmt::format("{} is not a memory size; write GB like 48, 48GB or 64g", Quote(t));
  // The number: digits with at most one decimal point (no sign, exponent, hex, inf or nan).
  size_t n = 0;
  bool seen_point = false, seen_digit = false;
  const bool negative = t.front() == '-';
  if (negative) n = 1;
  for (; n < t.size(); ++n) {
    if (IsDigit(t[n])) seen_digit = true;
    else if (t[n] == '.' && !seen_point) seen_point = true;
    else break;
  }
  if (!seen_digit) throw UsageError(junk);
  const std::string unit = ToLower(Trim(t.substr(n)));
  if (!unit.empty() && unit != "g" && unit != "gb" && unit != "gib") throw UsageError(junk);
  double value = 0;
  const std::string_view number = t.substr(0, n);
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(value)) {
    if (ec == std::errc::result_out_of_range && !negative) {
      throw UsageError(fmt::format("memory size {} is larger than the {} GB allowed", Quote(t), kMaxMemoryGb));
    }
    throw UsageError(junk);
  }
  if (value <= 0) throw UsageError(fmt::format("memory size {} must be greater than zero", Quote(t)));
  if (value > kMaxMemoryGb) {
    throw UsageError(fmt::format("memory size {} is larger than the {} GB allowed", Quote(t), kMaxMemoryGb));
  }
  return value;
}

std::vector<std::string> SplitList(std::string_view text) {
  if (Trim(text).empty()) throw UsageError("expected a comma-separated list, got an empty value");
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = Trim(text.substr(start, end - start));
    if (item.empty()) {
      throw UsageError(fmt::format("{} has an empty item; separate names with single commas", Quote(Trim(text))));
    }
    items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

}  // namespace siliconsim
