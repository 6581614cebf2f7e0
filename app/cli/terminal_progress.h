#pragma once
// The pieces of graft-cli's progress display shared by `train` and `fetch-weights`: a bar that
// redraws one stderr line, shown only when stderr is a terminal (a log file or a pipe gets none).
#include <string>

namespace graft::cli {

bool stderrIsTerminal();

// "42s", "3m07s", "1h05m".
std::string formatDuration(double seconds);
// "[######..................]" for fraction 0.25 at width 24.
std::string progressBar(double fraction, int width = 24);
// "12.3 MB" (powers of 1000, like curl and wget's defaults).
std::string formatBytes(double bytes);

// One stderr line redrawn in place; clear() before printing an ordinary line.
class TerminalBar {
 public:
  void show(const std::string& line);
  void clear();

 private:
  bool shown_ = false;
};

}  // namespace graft::cli
