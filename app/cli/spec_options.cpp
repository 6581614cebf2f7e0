#include "cli/spec_options.h"

#include "run/compute_choice.h"

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

void refuseEmptyValues(CLI::App& app) {
  const CLI::Validator nonEmpty(
      [](std::string& text) -> std::string {
        return text.empty() ? "empty: expected a value (an unset shell variable?)" : "";
      },
      "");
  for (CLI::Option* option : app.get_options())
    if (option->get_type_size() > 0) option->check(nonEmpty);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    refuseEmptyValues(*command);
}

void addDeviceOption(CLI::App& command, std::string& device) {
  command.add_option("--device", device, kDeviceChoiceHelp)->check(deviceChoiceValidator());
}

CLI::Validator deviceChoiceValidator() {
  return CLI::Validator([](std::string& text) { return deviceChoiceProblem(text); },
                        "auto|cpu|cuda|cuda:N");
}

}  // namespace graft::cli
