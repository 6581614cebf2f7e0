#include "cli/train_spec_options.h"

#include <string>

#include "cli/spec_options.h"
#include "run/augment_options.h"

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
    // An unknown augmentation is a usage error (exit 2) naming the flag, as a bad --optimizer.
    if (std::string(field.key) == "augment")
      option->check(CLI::Validator(
          [](const std::string& list) {
            try {
              parseAugmentList(list);
            } catch (const std::exception& e) {
              return std::string(e.what());
            }
            return std::string();
          },
          "LIST"));
  }
}

bool choosesHowToTrain(const CLI::App& command) {
  for (const SpecField& field : trainSpecFields())
    if (field.choosesHowToTrain && command.count(specFlag(field))) return true;
  return false;
}

}  // namespace graft::cli
