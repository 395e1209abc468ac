#pragma once
// A small binary archive for the build-time snapshot of the databases (common/snapshot.h).
//
// Each plain-data struct lists its fields once, in a `Fields(archive, object)` function found by
// argument-dependent lookup; the same list writes and reads, so the two directions cannot drift
// apart. Numbers and enums are stored as their bytes on the build machine: a snapshot is made
// and read by the same build, never exchanged between machines.
//
//   template <class A> void Fields(A& a, SourceLocation& l) { a(l.file, l.line, l.column); }
//
// The reader checks every length against the bytes left and throws SnapshotError on a short or
// malformed input instead of reading past the end.

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/diagnostics.h"

namespace siliconsim {

/// A snapshot that does not decode: a build bug, never a user's mistake.
class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename T>
inline constexpr bool kIsBytewise = std::is_arithmetic_v<T> || std::is_enum_v<T>;

/// Appends objects to a byte string.
class ArchiveWriter {
 public:
  static constexpr bool kReading = false;

  template <typename... T>
  void operator()(const T&... values) {
    (Put(values), ...);
  }

  const std::string& bytes() const { return out_; }

 private:
  template <typename T>
  void Put(const T& v) {
    if constexpr (kIsBytewise<T>) {
      out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
    } else {
      // Fields() takes a mutable reference so that one list serves both directions; the writer
      // only reads through it.
      Fields(*this, const_cast<T&>(v));
    }
  }
  void Put(const std::string& s) {
    PutSize(s.size());
    out_.append(s);
  }
  template <typename T>
  void Put(const std::optional<T>& o) {
    Put(o.has_value());
    if (o) Put(*o);
  }
  template <typename T>
  void Put(const std::vector<T>& v) {
    PutSize(v.size());
    for (const T& x : v) Put(x);
  }
  template <typename T, size_t N>
  void Put(const std::array<T, N>& v) {
    for (const T& x : v) Put(x);
  }
  void PutSize(size_t n) { Put(static_cast<uint64_t>(n)); }

  std::string out_;
};

/// Reads objects back from the bytes an ArchiveWriter produced.
class ArchiveReader {
 public:
  static constexpr bool kReading = true;

  explicit ArchiveReader(std::string_view bytes) : in_(bytes) {}

  template <typename... T>
  void operator()(T&... values) {
    (Get(values), ...);
  }

  bool done() const { return pos_ == in_.size(); }

  /// A string the writer stored, as a view into the input (no copy).
  std::string_view View() {
    const size_t n = GetSize(1);
    return std::string_view(Take(n), n);
  }

 private:
  template <typename T>
  void Get(T& v) {
    if constexpr (kIsBytewise<T>) {
      std::memcpy(&v, Take(sizeof(T)), sizeof(T));
      if constexpr (std::is_same_v<T, bool>) {
        // A bool read from arbitrary bytes must still be 0 or 1.
        unsigned char raw = 0;
        std::memcpy(&raw, &v, 1);
        if (raw > 1) throw SnapshotError("snapshot: a bool is neither 0 nor 1");
      }
    } else {
      Fields(*this, v);
    }
  }
  void Get(std::string& s) {
    const size_t n = GetSize(1);
    s.assign(Take(n), n);
  }
  template <typename T>
  void Get(std::optional<T>& o) {
    bool present = false;
    Get(present);
    if (!present) {
      o.reset();
      return;
    }
    o.emplace();
    Get(*o);
  }
  template <typename T>
  void Get(std::vector<T>& v) {
    const size_t n = GetSize(1);  // every element takes at least one byte
    v.clear();
    v.resize(n);
    for (T& x : v) Get(x);
  }
  template <typename T, size_t N>
  void Get(std::array<T, N>& v) {
    for (T& x : v) Get(x);
  }
  // A count, refused when its elements (at least `min_bytes` each) could not fit in what is left.
  size_t GetSize(size_t min_bytes) {
    uint64_t n = 0;
    Get(n);
    if (n > (in_.size() - pos_) / min_bytes) throw SnapshotError("snapshot: a length runs past the end");
    return static_cast<size_t>(n);
  }
  const char* Take(size_t n) {
    if (n > in_.size() - pos_) throw SnapshotError("snapshot: truncated");
    const char* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

// Field lists of the common types.
template <class A>
void Fields(A& a, SourceLocation& l) {
  a(l.file, l.line, l.column);
}
template <class A>
void Fields(A& a, Diagnostic& d) {
  a(d.severity, d.location, d.key_path, d.message, d.source_line);
}

}  // namespace siliconsim
