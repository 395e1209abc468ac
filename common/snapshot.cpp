#include "common/snapshot.h"

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
  for (uint64_t i = 0; i < count; ++i) {
    const std::string_view name = r.View();
    const std::string_view bytes = r.View();  // a view into `snapshot`
    if (name == database) return bytes;
  }
  return std::nullopt;
}

}  // namespace siliconsim
