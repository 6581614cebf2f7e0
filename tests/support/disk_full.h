#pragma once
// A full disk for a child process, for the tests of saves that run out of room.
#include <string>

namespace graft::test {

// A shared library for LD_PRELOAD (tests/preload/disk_full_preload.cpp): writes under
// $GRAFT_DISK_FULL_DIR fail with ENOSPC past $GRAFT_DISK_FULL_BUDGET bytes in total.
std::string diskFullPreloadPath();

}  // namespace graft::test
