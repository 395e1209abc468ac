#include "common/snapshot.h"

#include <cstring>

namespace siliconsim {
namespace {

constexpr std::string_view kMagic = "SSIMSNAP";

}  // namespace

std::string EncodeSnapshot(const std::vector<SnapshotSection>& sections) {
  ArchiveWriter w;
  for (char c : kMagic) w(c);
  w(kSnapshotFormatVersion);
  w(static_cast<uint64_t>(sections.size()));
  for (const SnapshotSection& s : sections) w(s.database, s.bytes);
  return w.bytes();
}

std::optional<std::string_view> FindSnapshotSection(std::string_view snapshot, std::string_view database) {
  if (!snapshot.starts_with(kMagic)) throw SnapshotError("snapshot: no SSIMSNAP magic");
  ArchiveReader r(snapshot.substr(kMagic.size()));
  uint32_t version = 0;
  r(version);
  if (version != kSnapshotFormatVersion) {
    throw SnapshotError("snapshot: format version " + std::to_string(version) + ", this build reads " +
                        std::to_string(kSnapshotFormatVersion));
  }
  uint64_t count = 0;
  r(count);
  // The section table is walked in place, so a section's bytes are a view into `snapshot`.
  const size_t header = kMagic.size() + sizeof(version) + sizeof(count);
  size_t pos = header;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view rest = snapshot.substr(pos);
    auto read_string = [&](std::string_view& out) {
      uint64_t n = 0;
      if (rest.size() < sizeof(n)) throw SnapshotError("snapshot: truncated section table");
      std::memcpy(&n, rest.data(), sizeof(n));
      rest.remove_prefix(sizeof(n));
      if (n > rest.size()) throw SnapshotError("snapshot: a section runs past the end");
      out = rest.substr(0, static_cast<size_t>(n));
      rest.remove_prefix(static_cast<size_t>(n));
    };
    std::string_view name, bytes;
    read_string(name);
    read_string(bytes);
    if (name == database) return bytes;
    pos = snapshot.size() - rest.size();
  }
  return std::nullopt;
}

}  // namespace siliconsim
