#pragma once
// OpenCV logs its own warnings on stderr ("[ WARN:0@0.1] global .../grfmt_tiff.cpp ... OpenCV
// TIFF: TIFFRGBAImageOK: Sorry, can not handle images with 32-bit samples") before Graft says
// in its words what is wrong with the file. Each program turns that logging off once at start
// (graft-cli's and Graft's mains); core/ keeps no such setting of its own. No OpenCV header
// here: the GUI's main includes it.
namespace graft {

void turnOffOpenCvMessages();

}  // namespace graft
