#pragma once
// Command-line options generated from a run description's field table (run/spec_fields.h):
// one CLI11 option per field, with its help text (--help and the manual page), its range and
// choices checked by CLI11 (a usage error naming the flag, in the words a pipeline uses) and
// required fields required. `graft-cli train`, `eval` and `export` are built on it.
#include <CLI/CLI.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "run/spec_fields.h"

namespace graft::cli {

// Refuses a number out of `range` before CLI11 converts the text; text that is not a number is
// left to CLI11's own message.
CLI::Validator specRangeValidator(const SpecRange& range);
// Every option of `app` and its subcommands that takes a value refuses an empty one (a usage
// error naming the option): `-o "$OUT"` with OUT unset trained a whole run and saved nothing.
void refuseEmptyValues(CLI::App& app);
// Refuses what is not a device choice (run/compute_choice.h), in the words a pipeline uses.
CLI::Validator deviceChoiceValidator();

// The option for one field, writing into `spec` while the command line is parsed, with the
// table's checks.
template <class Spec>
CLI::Option* addSpecOption(CLI::App& command, const SpecFieldOf<Spec>& field,
                           const std::shared_ptr<Spec>& spec) {
  const std::string names = specOptionNames(field);
  CLI::Option* option = std::visit(
      [&](auto member) -> CLI::Option* {
        using T = std::decay_t<decltype((*spec).*member)>;
        if constexpr (std::is_same_v<T, bool>) {
          return command.add_flag(names, (*spec).*member, field.help);
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
          // Set only when given (unset means "the optimizer's default").
          return command.add_option_function<double>(
              names, [spec, member](const double& value) { (*spec).*member = value; }, field.help);
        } else if constexpr (std::is_same_v<T, Json>) {
          return command.add_option_function<std::string>(
              names, [spec, member](const std::string& file) { (*spec).*member = file; },
              field.help);
        } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t> ||
                             std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
          return command.add_option(names, (*spec).*member, field.help);
        } else {
          throw std::logic_error(std::string("no command-line option for ") + field.key);
        }
      },
      field.member);
  if (field.required) option->required();
  if (field.range.min || field.range.max) option->check(specRangeValidator(field.range));
  if (field.kind == SpecKind::Choice) option->check(CLI::IsMember(field.choices));
  if (field.kind == SpecKind::Device) option->check(deviceChoiceValidator());
  if (field.excludes)
    if (CLI::Option* other = command.get_option_no_throw(specOptionNames(field.excludes, nullptr)))
      option->excludes(other);
  return option;
}

// "--device auto|cpu|cuda|cuda:N" for commands whose options are not a spec table (predict,
// edit): the same check and words as the tables' device fields.
void addDeviceOption(CLI::App& command, std::string& device);

// Every field of the table that the command line gives itself (not the model options' ones).
template <class Spec>
void addSpecOptions(CLI::App& command, const std::vector<SpecFieldOf<Spec>>& fields,
                    const std::shared_ptr<Spec>& spec) {
  for (const SpecFieldOf<Spec>& field : fields)
    if (!field.fromModelOptions) addSpecOption(command, field, spec);
}

}  // namespace graft::cli
