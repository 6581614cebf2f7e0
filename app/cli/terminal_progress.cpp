#include "cli/terminal_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace graft::cli {

bool stderrIsTerminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

std::string formatDuration(double seconds) {
  const auto s = static_cast<int64_t>(std::lround(seconds));
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600)
    return std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + (s % 3600 / 60 < 10 ? "0" : "") +
         std::to_string(s % 3600 / 60) + "m";
}

std::string progressBar(double fraction, int width) {
  const int filled = std::clamp(static_cast<int>(width * fraction), 0, width);
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), '.') + "]";
}

std::string formatBytes(double bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) bytes /= 1000, ++unit;
  std::ostringstream out;
  out << std::fixed << std::setprecision(unit == 0 ? 0 : 1) << bytes << " " << units[unit];
  return out.str();
}

void TerminalBar::show(const std::string& line) {
  std::cerr << "\r\033[K" << line << std::flush;
  shown_ = true;
}

void TerminalBar::clear() {
  if (shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace graft::cli
