#include "runtime/system/error_text.h"

#include <c10/util/Exception.h>

namespace graft {

std::string errorText(const std::exception& e) {
  if (const auto* torchError = dynamic_cast<const c10::Error*>(&e))
    return torchError->what_without_backtrace();
  return e.what();
}

}  // namespace graft
