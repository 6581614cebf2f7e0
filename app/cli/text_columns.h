#pragma once
// Table columns of names people write in any script: padded by the columns a terminal gives
// them, not by bytes (a class named "猫 ü" took 6 bytes and 4 columns, so rows came out ragged).
#include <string>

namespace graft::cli {

// The terminal columns `text` (UTF-8) takes: 2 for East Asian wide and fullwidth characters
// and emoji, 0 for combining marks, 1 for the rest; invalid bytes count 1 each.
size_t terminalColumns(const std::string& text);

// `text` followed by spaces up to `columns` columns (nothing added when it is wider).
std::string padToColumns(const std::string& text, size_t columns);

}  // namespace graft::cli
