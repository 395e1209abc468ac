#pragma once
// Plain-text tables for people and RFC 4180 CSV for scripts.

#include <ostream>
#include <string>
#include <vector>

namespace siliconsim {

/// Column alignment in a text table.
enum class Align { kLeft, kRight };

/// A text table: headers, rows of cells, columns sized to their widest cell.
class Table {
 public:
  struct Column {
    std::string header;
    Align align = Align::kLeft;
  };
  explicit Table(std::vector<Column> columns);
  /// Adds a row; it must have one cell per column.
  void AddRow(std::vector<std::string> cells);
  /// Writes the header, a rule and the rows; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

/// Writes one CSV record, quoting cells that hold a comma, a quote or a line break; lines end in "\n".
void WriteCsvRow(std::ostream& out, const std::vector<std::string>& cells);

}  // namespace siliconsim
