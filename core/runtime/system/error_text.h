#pragma once
// The message of an exception as a user should read it. LibTorch's c10::Error carries a C++
// backtrace in what() (dozens of frames that mean nothing to a user): that part is left out.
// No LibTorch here: the UI and the CLI's last catch include it.
#include <exception>
#include <string>

namespace graft {

std::string errorText(const std::exception& e);

}  // namespace graft
