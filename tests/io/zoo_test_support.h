#pragma once
// Shared by the zoo tests: building a zoo model and reading Keras's own topology files.
#include <fstream>
#include <sstream>
#include <string>

#include "graph/analysis.h"
#include "graph/keras_json.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"

namespace graft::test {

inline zoo::ZooOptions zooOptions(const std::string& architecture, bool includeTop = true) {
  zoo::ZooOptions o;
  o.architecture = architecture;
  o.includeTop = includeTop;
  return o;
}

inline Json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

}  // namespace graft::test
