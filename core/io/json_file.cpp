#include "io/json_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/keras_json.h"

namespace graft {

Json readJsonFile(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(path + ": is a folder, not a " + what + " file");
  std::ifstream in(path);
  if (!in) {
    const int error = errno;  // before anything else can set it
    throw Error(path + ": cannot read the " + what +
                " file: " + (error == ENOENT ? "no such file" : std::strerror(error)));
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str(), jsonInputGuard(path));
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

std::string jsonText(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool isUtf8(const std::string& text) {
  try {
    (void)Json(text).dump();  // the serializer checks every sequence
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

}  // namespace graft
