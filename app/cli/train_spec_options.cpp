#include "cli/train_spec_options.h"

#include <string>

namespace graft::cli {

namespace {

// Checked before CLI11 converts the text: a number out of the field's range is refused with
// the same words a pipeline uses; text that is not a number is left to CLI11's own message.
CLI::Validator rangeValidator(const SpecRange& range) {
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

CLI::Option* addOption(CLI::App& command, const SpecField& field,
                       const std::shared_ptr<TrainSpec>& spec) {
  const std::string names = specOptionNames(field);
  const SpecMember& m = field.member;
  if (auto pb = std::get_if<bool TrainSpec::*>(&m))
    return command.add_flag(names, (*spec).*(*pb), field.help);
  // Optional values are set only when given (unset means "the optimizer's default").
  if (auto po = std::get_if<std::optional<double> TrainSpec::*>(&m))
    return command.add_option_function<double>(
        names, [spec, member = *po](const double& value) { (*spec).*member = value; }, field.help);
  if (auto pj = std::get_if<Json TrainSpec::*>(&m))
    return command.add_option_function<std::string>(
        names, [spec, member = *pj](const std::string& file) { (*spec).*member = file; },
        field.help);
  return std::visit(
      [&](auto member) -> CLI::Option* {
        using T = std::decay_t<decltype((*spec).*member)>;
        if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t> ||
                      std::is_same_v<T, double> || std::is_same_v<T, std::string>)
          return command.add_option(names, (*spec).*member, field.help);
        else
          throw std::logic_error(std::string("no command-line option for ") + field.key);
      },
      m);
}

}  // namespace

void addTrainSpecOptions(CLI::App& command, const std::shared_ptr<TrainSpec>& spec) {
  std::vector<CLI::Option*> choices;  // the options a plan replaces
  CLI::Option* plan = nullptr;
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions) continue;
    CLI::Option* option = addOption(command, field, spec);
    if (field.required) option->required();
    if (field.range.min || field.range.max) option->check(rangeValidator(field.range));
    if (field.kind == SpecKind::Choice) option->check(CLI::IsMember(field.choices));
    if (field.choosesHowToTrain) choices.push_back(option);
    if (field.kind == SpecKind::Plan) {
      plan = option;
      for (CLI::Option* choice : choices) plan->excludes(choice);
    }
    // A plan says per stage whether BatchNormalization trains (validateTrainSpec's rule).
    if (plan && std::string(field.key) == "train_batch_norm") option->excludes(plan);
  }
}

bool choosesHowToTrain(const CLI::App& command) {
  for (const SpecField& field : trainSpecFields())
    if (field.choosesHowToTrain && command.count(specFlag(field))) return true;
  return false;
}

}  // namespace graft::cli
