#include "io/json_file.h"

#include <fstream>
#include <sstream>

#include "graph/keras_json.h"

namespace graft {

Json readJsonFile(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read the " + what + " file");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str(), jsonDepthGuard(path));
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

}  // namespace graft
