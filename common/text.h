#pragma once
// Small text helpers shared by loaders and the CLI: edit distance for "did you mean",
// normalised names for lookups.

#include <span>
#include <string>
#include <string_view>
#include <optional>

namespace siliconsim {

/// Levenshtein distance between two strings, case-sensitive.
size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> NearestMatch(std::string_view word, std::span<const std::string> candidates);

/// Lower-cases ASCII.
std::string ToLower(std::string_view s);

/// Lower-cases and drops everything but letters and digits: "Apple M4 Max" -> "applem4max".
std::string Squash(std::string_view s);

/// `s` without a leading `prefix` (unless that is all of it).
std::string StripPrefix(std::string s, std::string_view prefix);

/// `s` without a trailing `suffix` (unless that is all of it).
std::string StripSuffix(std::string s, std::string_view suffix);

/// Joins with a separator.
std::string Join(std::span<const std::string> parts, std::string_view sep);

}  // namespace siliconsim
