#include "cli/spec_options.h"

namespace graft::cli {

CLI::Validator specRangeValidator(const SpecRange& range) {
  return CLI::Validator(
      [range](std::string& text) -> std::string {
        try {
          size_t used = 0;
          const double value = std::stod(text, &used);
          return used == text.size() ? rangeProblem(range, value) : std::string();
        } catch (const std::exception&) {
          return std::string();
        }
      },
      rangeText(range));
}

}  // namespace graft::cli
