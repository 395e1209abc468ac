#pragma once
// Parsers for the values users type on the command line: token counts (`4k`), lists and ranges
// of them (`1k..128k:x2`), memory sizes (`48GB`) and comma lists. Pure functions; each throws
// UsageError (common/diagnostics.h) naming the text it could not read, so the CLI prints
// `siliconsim: error: ...` and exits 2.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siliconsim {

/// Largest token count accepted anywhere (2^40, about a trillion): far beyond any context,
/// small enough that sums and products of a few counts cannot overflow int64_t.
inline constexpr int64_t kMaxTokenCount = int64_t{1} << 40;

/// Most values a token list may expand to; a sweep longer than this is a typo.
inline constexpr size_t kMaxTokenListValues = 4096;

/// Largest memory size accepted, in GB (Apple's largest Mac has 512 GB).
inline constexpr double kMaxMemoryGb = 65536.0;

/// A whole token count: `512`, `4k` (4096), `128K`, `1m` (1048576). `k` is 1024 and `m` is
/// 1024*1024, as llama-bench users write 4096 as 4k. Surrounding spaces are ignored. Throws
/// UsageError on anything else (empty, negative, fractional, junk, above kMaxTokenCount).
int64_t ParseTokenCount(std::string_view text);

/// A comma list of token counts and ranges, expanded in the order given (duplicates kept):
/// `1k,2k,4k`; `1k..128k:x2` (geometric, integer factor >= 2, start > 0); `512..4096:+512`
/// (arithmetic, step > 0); mixed `0,512..2048:x2`. Endpoints are inclusive (the end is listed
/// only when the steps land on it). At most kMaxTokenListValues values, each <= kMaxTokenCount.
std::vector<int64_t> ParseTokenList(std::string_view text);

/// A memory size in GB as Apple writes it: `48`, `48GB`, `48 GB`, `64g`, `24.5`. Apple's
/// "48 GB" is 48 GiB; the number is returned as written. Units g, gb, gib (any case).
/// Throws UsageError on junk, zero, negative, non-finite or above kMaxMemoryGb.
double ParseMemoryGb(std::string_view text);

/// `a,b, c` -> {"a", "b", "c"}: split on commas, spaces around items trimmed. Throws UsageError
/// for an empty text or an empty item (`a,,b`, `a,`).
std::vector<std::string> SplitList(std::string_view text);

}  // namespace siliconsim
