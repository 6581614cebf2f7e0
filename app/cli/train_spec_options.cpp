#include "cli/train_spec_options.h"

#include <string>

#include "cli/spec_options.h"

namespace graft::cli {

void addTrainSpecOptions(CLI::App& command, const std::shared_ptr<TrainSpec>& spec) {
  std::vector<CLI::Option*> choices;  // the options a plan replaces
  CLI::Option* plan = nullptr;
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions) continue;
    CLI::Option* option = addSpecOption(command, field, spec);
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
