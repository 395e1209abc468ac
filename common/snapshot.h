#pragma once
// The built-in databases, parsed at build time. Parsing the embedded YAML is most of a short
// command's time (yaml-cpp reads about 10 MB/s), so the build loads data/ once with the same
// loaders every user file goes through and stores the result as a binary snapshot
// (snapshot/make_snapshot.cpp). The CLI decodes the snapshot instead of re-parsing; files from
// --data or SILICONSIM_DATA are still read as YAML and override it by id, as before.
//
// Layout: the magic "SSIMSNAP", the format version, then one section per database (its name and
// its bytes), each encoded by that database's codec (hardware/chip_snapshot.h, ...).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/binary_archive.h"

namespace siliconsim {

/// Bumped whenever a field list changes; a snapshot of another version is refused.
inline constexpr uint32_t kSnapshotFormatVersion = 1;

/// One database's encoded entries, e.g. {"chips", bytes}.
struct SnapshotSection {
  std::string database;
  std::string bytes;
};

/// Joins sections into a snapshot.
std::string EncodeSnapshot(const std::vector<SnapshotSection>& sections);

/// The bytes of `database`'s section, or nothing when the snapshot has none. Throws
/// SnapshotError when `snapshot` is not a snapshot of this format version.
std::optional<std::string_view> FindSnapshotSection(std::string_view snapshot, std::string_view database);

/// Encodes one object with its field list.
template <typename T>
std::string EncodeObject(const T& object) {
  ArchiveWriter w;
  w(object);
  return w.bytes();
}

/// Decodes what EncodeObject wrote; the bytes must hold exactly one object.
template <typename T>
T DecodeObject(std::string_view bytes) {
  ArchiveReader r(bytes);
  T object;
  r(object);
  if (!r.done()) throw SnapshotError("snapshot: bytes left after the last field");
  return object;
}

}  // namespace siliconsim
