#pragma once
// HDF5 prints its error stack, and at exit "HDF5: infinite loop closing library" (HDF5 1.10
// keeps some of its own memory after refusing a damaged file, and says so then), whenever its
// automatic error printing is on. Graft's messages replace both: each program turns it off once
// at start, on its main thread (the exit handler reads that thread's setting; calls on other
// threads stay quiet through h5::QuietErrors). No HDF5 header here: the GUI's main includes it.
namespace graft::h5 {

void turnOffLibraryMessages();

}  // namespace graft::h5
