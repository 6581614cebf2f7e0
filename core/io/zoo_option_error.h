#pragma once
// An option a zoo architecture does not take (`vgg16 --alpha 0.5`, MobileNetV3's minimalistic
// for ResNet50, classes for a model asked without its top): told apart from other bad input so
// that the command line answers it as the usage error it is (exit 2, naming the option, as
// fetch-weights does), while the GUI and pipelines show it as any other error.
#include <string>

#include "graph/diagnostic.h"

namespace graft {

class ZooOptionRefused : public Error {
 public:
  // `option`: the option's name as ModelSpec and Keras spell it ("alpha", "dropout_rate").
  ZooOptionRefused(const std::string& option, const std::string& message)
      : Error(message), option_(option) {}
  const std::string& option() const { return option_; }

 private:
  std::string option_;
};

}  // namespace graft
