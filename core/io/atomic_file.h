#pragma once
// Saves never leave a half-written file: write to a temporary file beside the target, flush it
// to disk, then rename over the target (atomic on POSIX file systems).
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace graft {

// The file a save to `path` replaces: `path` itself, or the file a symbolic link there points
// to (saving through a link updates its target, as editors do, instead of replacing the link
// by a file and leaving the target as it was).
std::string fileSavedThrough(const std::string& path);

// Why `folder` cannot take a new file: "the folder F does not exist", or "F is a file, not a
// folder" (an output under a file's name said the folder did not exist); "" for a folder.
std::string notAFolder(const std::string& folder);

// notAFolder's reasons, and "cannot create a file in F: Permission denied" (a read-only folder
// or file system, a full inode table) found by creating and removing a file there: outputs are
// checked before a long run, not after its first epoch. "" when a file can be made there.
std::string cannotWriteIn(const std::string& folder);

// "the file name is N bytes long, more than the M this file system takes (File name too long)
// ..." when the folder a save to `path` writes in takes no such name (pathconf's NAME_MAX):
// found before a long run, not when its first epoch saved; "" otherwise.
std::string nameTooLong(const std::string& path);

// Why a save to `path` must not replace the file there: "F is read-only (Permission denied):
// ..." for a file the user may not write (the folder may let a rename replace it anyway, as it
// let Graft replace a chmod 444 model); "" otherwise.
std::string cannotReplace(const std::string& path);

// The folder a save to `path` writes in (through a link, the target's: fileSavedThrough).
std::string folderSavedIn(const std::string& path);

// Calls write(tempPath), then fsyncs and renames tempPath to path, which keeps the permissions of
// the file it replaces; a read-only file is not replaced (cannotReplace). If write throws or the
// rename fails, the temporary file is removed, the previous file at `path` is untouched, and a
// graft::Error "<path>: not saved (any previous file is unchanged): <why>" is thrown; the why
// names the OS error (e.g. "No space left on device") when there is one.
void writeAtomically(const std::string& path, const std::function<void(const std::string&)>& write);

// What names this process's temporary files: ".NAME" + mark + a random number, beside NAME,
// with mark ".tmp-<pid>-<a number drawn once per process>-". A process ended by a signal
// mid-save can have them removed by a handler that knows the mark (cli/interrupt.h).
std::string temporaryFileMark();

// Writes `bytes` to `file` (writeAtomically's temporary). Errors name `path` (the file the user
// asked for; "" when writeAtomically's own message names it), `what` is written ("the ONNX
// file") and the system's reason ("No space left on device").
void writeBytes(const std::string& file, std::string_view bytes, const std::string& path,
                const std::string& what);

// Calls write(stream) with a stream into `file` (created or truncated) that goes straight to the
// file, so a large model is never held whole in memory. A write error (a full disk) is kept from
// the writer, whose stream stays good — LibTorch's ZIP writer ended the process when its stream
// failed while it unwound — and thrown once write returns, worded as writeBytes's.
void writeStreamed(const std::string& file, const std::function<void(std::ostream&)>& write,
                   const std::string& path, const std::string& what);

// A text file (JSON, XML) written through writeAtomically. Errors name `path`, `what` was being
// written ("the pipeline") and the system's reason.
void writeTextAtomically(const std::string& path, const std::string& text, const std::string& what);

}  // namespace graft
