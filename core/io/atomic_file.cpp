#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>
#include <vector>

#include "graph/diagnostic.h"

namespace graft {
namespace fs = std::filesystem;

namespace {

void syncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(path + ": cannot reopen the file to flush it");
  const bool ok = ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) throw Error(path + ": cannot flush the file to disk (" + std::strerror(error) + ")");
}

// A stream buffer writing to a file descriptor in large pieces. After the first failed write it
// keeps the error and takes (and drops) everything else: the writer's stream never goes bad.
class FileDescriptorBuffer : public std::streambuf {
 public:
  explicit FileDescriptorBuffer(int fd) : fd_(fd), buffer_(size_t{1} << 20) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    // Pieces larger than the buffer go straight to the file (a tensor's bytes).
    if (size < epptr() - pptr()) return std::streambuf::xsputn(data, size);
    drain();
    writeAll(data, size_t(size));
    return size;
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void drain() {
    writeAll(pbase(), size_t(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  // write() may take part of the bytes at a time; a full disk is kept with its reason.
  void writeAll(const char* data, size_t size) {
    size_t done = 0;
    while (error_ == 0 && done < size) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        error_ = n < 0 ? errno : ENOSPC;
      else
        done += size_t(n);
    }
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

// The longest file name `folder` takes (NAME_MAX: 255 bytes on most file systems).
size_t longestNameIn(const std::string& folder) {
  const long most = ::pathconf(folder.c_str(), _PC_NAME_MAX);
  return most > 0 ? size_t(most) : size_t{255};
}

// The temporary file beside `target`: "." + its name + the mark + `draw`, the name shortened so
// that the whole fits the folder (a name near the limit was refused for its temporary's length).
fs::path temporaryFileFor(const fs::path& dir, const fs::path& target, unsigned draw) {
  const std::string tail = temporaryFileMark() + std::to_string(draw);
  std::string name = target.filename().string();
  const size_t most = longestNameIn(dir.string());
  const size_t room = most > tail.size() + 1 ? most - tail.size() - 1 : 0;
  if (name.size() > room) {
    name.resize(room);
    // Not in the middle of a UTF-8 character.
    while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80)
      name.pop_back();
    if (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0xC0) name.pop_back();
  }
  return dir / ("." + name + tail);
}

}  // namespace

std::string fileSavedThrough(const std::string& path) {
  // Link by link (a target not written yet is where the save goes), at most 40 as the kernel.
  fs::path file(path);
  std::error_code ec;
  bool followed = false;
  for (int hops = 0; hops < 40 && fs::is_symlink(file, ec); ++hops) {
    const fs::path target = fs::read_symlink(file, ec);
    if (ec) return path;
    file = target.is_absolute() ? target : file.parent_path() / target;
    followed = true;
  }
  return followed ? file.string() : path;
}

std::string temporaryFileMark() {
  // The pid alone is not this process's: containers (each often pid 1) can share a folder.
  // A number drawn once per process (a constant, not state that changes) makes it so.
  static const std::string mark = [] {
    std::random_device rd;
    const uint64_t draw = (uint64_t{rd()} << 32) ^ rd();
    return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(draw) + "-";
  }();
  return mark;
}

std::string notAFolder(const std::string& folder) {
  std::error_code ec;
  if (fs::is_directory(folder, ec)) return "";
  if (fs::exists(folder, ec)) return folder + " is a file, not a folder";
  return "the folder " + folder + " does not exist";
}

std::string cannotWriteIn(const std::string& folder) {
  if (std::string why = notAFolder(folder); !why.empty()) return why;
  // A file without a name first: nothing is left behind whenever the process dies (a signal
  // before the CLI's temporary-file sweep is set up ends it at once). Filesystems without
  // O_TMPFILE say so, and a named probe, removed at once, answers instead.
  const int unnamed = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (unnamed >= 0) {
    ::close(unnamed);
    return "";
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return "cannot create a file in " + folder + ": " + std::strerror(errno);
  std::random_device rd;
  const fs::path probe =
      fs::path(folder) / (".graft-write-check" + temporaryFileMark() + std::to_string(rd()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return "cannot create a file in " + folder + ": " + std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

std::string nameTooLong(const std::string& path) {
  const std::string name = fs::path(fileSavedThrough(path)).filename().string();
  const size_t most = longestNameIn(folderSavedIn(path));
  if (name.size() <= most) return "";
  return "the file name is " + std::to_string(name.size()) + " bytes long, more than the " +
         std::to_string(most) + " this file system takes (" + std::strerror(ENAMETOOLONG) +
         "): choose a shorter name";
}

std::string cannotReplace(const std::string& path) {
  const std::string target = fileSavedThrough(path);
  struct stat status {};
  if (::stat(target.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return "";
  if (::access(target.c_str(), W_OK) == 0) return "";
  return target + " is read-only (" + std::strerror(errno) +
         "): make it writable or give another name";
}

std::string folderSavedIn(const std::string& path) {
  const fs::path target(fileSavedThrough(path));
  return target.has_parent_path() ? target.parent_path().string() : std::string(".");
}

void writeAtomically(const std::string& path,
                     const std::function<void(const std::string&)>& write) {
  const fs::path target(fileSavedThrough(path));
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (const std::string why = notAFolder(dir.string()); !why.empty())
    throw Error(path + ": " + why);
  if (const std::string why = cannotReplace(path); !why.empty())
    throw Error(path + ": not saved (the file is unchanged): " + why);
  std::random_device rd;
  const fs::path temp = temporaryFileFor(dir, target, rd());
  // Created here, so a folder that cannot take the file is said with the system's reason (the
  // writers' own messages rarely give it: "cannot write the ONNX file").
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    throw Error(path + ": not saved (any previous file is unchanged): cannot create a file in " +
                dir.string() + ": " + std::strerror(errno));
  ::close(fd);
  try {
    write(temp.string());
    // The new file keeps the permissions of the one it replaces (a private model stays private).
    struct stat previous {};
    if (::stat(target.c_str(), &previous) == 0 && S_ISREG(previous.st_mode))
      ::chmod(temp.c_str(), previous.st_mode & 07777);
    syncFile(temp.string());
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) throw Error(path + ": cannot replace the file: " + ec.message());
  } catch (const std::exception& e) {
    // The inner message may name the temporary file; the user knows the one they asked for.
    std::error_code ignored;
    fs::remove(temp, ignored);
    std::string why = e.what();
    if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2);  // named once is enough
    throw Error(path + ": not saved (any previous file is unchanged): " + why);
  }
}

void writeBytes(const std::string& file, std::string_view bytes, const std::string& path,
                const std::string& what) {
  writeStreamed(
      file, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); },
      path, what);
}

void writeStreamed(const std::string& file, const std::function<void(std::ostream&)>& write,
                   const std::string& path, const std::string& what) {
  const std::string named = path.empty() ? std::string() : path + ": ";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(named + "cannot write " + what + ": " + std::strerror(errno));
  FileDescriptorBuffer buffer(fd);
  {
    std::ostream out(&buffer);
    try {
      write(out);
    } catch (...) {
      ::close(fd);
      throw;
    }
    out.flush();
  }
  const int closeError = ::close(fd) != 0 ? errno : 0;
  const int error = buffer.error() != 0 ? buffer.error() : closeError;
  if (error != 0) throw Error(named + "cannot write " + what + ": " + std::strerror(error));
}

void writeTextAtomically(const std::string& path, const std::string& text,
                         const std::string& what) {
  writeAtomically(path,
                  [&](const std::string& temporary) { writeBytes(temporary, text, path, what); });
}

}  // namespace graft
