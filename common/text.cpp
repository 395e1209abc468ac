#include "common/text.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace siliconsim {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string> NearestMatch(std::string_view word, std::span<const std::string> candidates) {
  const std::string lowered = ToLower(word);
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(lowered, ToLower(c));
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A suggestion is useful only if it is nearer than rewriting most of the word.
  const size_t limit = std::max<size_t>(2, (word.size() + 1) / 2);
  if (best && best_distance <= limit) return best;
  return std::nullopt;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string StripPrefix(std::string s, std::string_view prefix) {
  if (s.starts_with(prefix) && s.size() > prefix.size()) s.erase(0, prefix.size());
  return s;
}

std::string StripSuffix(std::string s, std::string_view suffix) {
  if (s.ends_with(suffix) && s.size() > suffix.size()) s.erase(s.size() - suffix.size());
  return s;
}

std::string Join(std::span<const std::string> parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace siliconsim
