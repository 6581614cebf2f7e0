#include "runtime/data/dataset.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>
#include <system_error>

#include "graph/diagnostic.h"
#include "io/json_file.h"
#include "runtime/data/dataset_random.h"

namespace graft {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool isHidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Every image below `dir` (recursively; symlinked folders are not followed, as in Keras),
// sorted. Non-images go to `ignored`. Folders without read permission are skipped: one such
// folder must not stop a run over thousands of images.
std::vector<std::string> imagesBelow(const fs::path& dir, std::vector<std::string>& ignored) {
  std::vector<std::string> images;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw Error(Diagnostic{dir.string(), "cannot read the folder: " + ec.message()});
  const fs::recursive_directory_iterator end;
  while (it != end) {
    std::error_code typeError;
    const std::string path = it->path().string();
    // A link to nothing is listed as Keras lists it, and then named as unreadable with the
    // other files that cannot be read (it went unmentioned); a pipe or a socket is not read
    // (reading a pipe would wait for a writer) and is named with the ignored files.
    const bool danglingLink = it->is_symlink(typeError) && !it->exists(typeError);
    if (it->is_regular_file(typeError) || danglingLink) {
      if (hasImageExtension(path) && !isHidden(it->path()))
        images.push_back(path);
      else
        ignored.push_back(path);
    } else if (!it->is_directory(typeError)) {
      ignored.push_back(path);
    }
    it.increment(ec);
    if (ec) {  // the iterator cannot go on: keep what was found, say where it stopped
      ignored.push_back(dir.string() + " (listing stopped: " + ec.message() + ")");
      break;
    }
  }
  std::sort(images.begin(), images.end());
  return images;
}

}  // namespace

std::vector<int64_t> ImageFolder::classCounts() const {
  std::vector<int64_t> counts(classes.size(), 0);
  for (const auto& s : samples) ++counts.at(static_cast<size_t>(s.label));
  return counts;
}

namespace {

// Keras's (bmp, gif, jpeg, jpg, png) and what else OpenCV reads.
const std::vector<std::string>& imageExtensions() {
  static const std::vector<std::string> kExtensions = {"jpg", "jpeg", "png", "gif",  "bmp",
                                                       "ppm", "pgm",  "tif", "tiff", "webp"};
  return kExtensions;
}

}  // namespace

bool hasImageExtension(const std::string& path) {
  const std::string extension = lower(fs::path(path).extension().string());
  const auto& known = imageExtensions();
  return extension.size() > 1 &&
         std::find(known.begin(), known.end(), extension.substr(1)) != known.end();
}

std::string imageExtensionList() {
  std::string list;
  for (const auto& extension : imageExtensions()) list += (list.empty() ? "" : ", ") + extension;
  return list;
}

namespace {

std::string joinedNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 10; ++i) text += (i ? ", " : "") + names[i];
  return names.size() > 10 ? text + ", ..." : text;
}

}  // namespace

ImageFolder scanImageFolder(const std::string& root, const ImageFolderOptions& options) {
  std::error_code ec;
  if (!fs::exists(root, ec)) throw Error(Diagnostic{root, "no such folder"});
  if (!fs::is_directory(root, ec))
    throw Error(Diagnostic{root, "not a folder (expected one subfolder of images per class)"});

  ImageFolder folder;
  folder.root = root;
  std::vector<std::string> classDirs;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::error_code typeError;
    if (!entry.is_directory(typeError)) {
      folder.ignored.push_back(entry.path().string());
      continue;
    }
    if (isHidden(entry.path())) {
      folder.ignored.push_back(entry.path().string());
      continue;
    }
    // A class name is stored as text (the model's labels, the log, reports): a folder name
    // that is not UTF-8 would fail the first checkpoint, after an epoch of training.
    if (!isUtf8(entry.path().filename().string()))
      throw Error(Diagnostic{entry.path().string(),
                             "the class folder's name is not UTF-8 text, and class names are "
                             "saved as text: rename the folder"});
    // One name per line in a labels file, one row per class in a table.
    const std::string name = entry.path().filename().string();
    const auto isControl = [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
    };
    if (std::any_of(name.begin(), name.end(), isControl))
      throw Error(Diagnostic{entry.path().string(),
                             "the class folder's name holds a control character (a line break "
                             "or a tab), and class names are saved one per line: rename the "
                             "folder"});
    classDirs.push_back(name);
  }
  if (ec) throw Error(Diagnostic{root, "cannot read the folder: " + ec.message()});
  // Byte order, which is code point order for UTF-8: Python's sorted() on the names.
  std::sort(classDirs.begin(), classDirs.end());

  const bool fixedClasses = !options.classes.empty();
  if (fixedClasses) {
    folder.classes = options.classes;
    for (const auto& name : classDirs)
      if (std::find(folder.classes.begin(), folder.classes.end(), name) == folder.classes.end())
        throw Error(Diagnostic{(fs::path(root) / name).string(),
                               "class '" + name + "' is not one of the " +
                                   std::to_string(folder.classes.size()) +
                                   " classes expected here (" + joinedNames(folder.classes) + ")"});
  } else {
    if (classDirs.empty())
      throw Error(Diagnostic{root,
                             "no class subfolders (expected one subfolder of images per class, "
                             "e.g. " +
                                 (fs::path(root) / "cats").string() + ")"});
    folder.classes = classDirs;
  }

  for (size_t label = 0; label < folder.classes.size(); ++label) {
    const fs::path dir = fs::path(root) / folder.classes[label];
    if (!fs::is_directory(dir, ec)) continue;  // only possible with fixed classes
    const auto images = imagesBelow(dir, folder.ignored);
    if (images.empty() && !fixedClasses)
      throw Error(Diagnostic{dir.string(), "class '" + folder.classes[label] +
                                               "' has no images (looked for " +
                                               imageExtensionList() + ")"});
    for (const auto& path : images)
      folder.samples.push_back(ImageSample{path, static_cast<int64_t>(label)});
  }
  if (folder.samples.empty())
    throw Error(Diagnostic{
        root, "no images found (looked for " + imageExtensionList() + " in the class subfolders)"});
  return folder;
}

void checkClassesToTellApart(const ImageFolder& folder) {
  if (folder.classes.size() >= 2) return;
  throw Error(
      Diagnostic{folder.root, "has one class folder ('" + joinedNames(folder.classes) +
                                  "'); a classifier learns to tell classes apart, so give it a "
                                  "subfolder of images for each of at least two classes"});
}

DataSplit stratifiedSplit(const ImageFolder& folder, double validationFraction, uint64_t seed) {
  if (!(validationFraction >= 0.0 && validationFraction < 1.0))
    throw Error(Diagnostic{"--val-split", "must be at least 0 and below 1, got " +
                                              std::to_string(validationFraction)});
  std::vector<std::vector<size_t>> byClass(folder.classes.size());
  for (size_t i = 0; i < folder.samples.size(); ++i)
    byClass.at(static_cast<size_t>(folder.samples[i].label)).push_back(i);

  DataSplit split;
  for (size_t c = 0; c < byClass.size(); ++c) {
    auto& members = byClass[c];
    const auto n = static_cast<int64_t>(members.size());
    auto take = static_cast<int64_t>(std::llround(static_cast<double>(n) * validationFraction));
    if (validationFraction > 0 && n >= 2) take = std::max<int64_t>(take, 1);
    take = std::min(take, n - 1);  // every class keeps at least one training image
    take = std::max<int64_t>(take, 0);
    // One stream per class: adding images to one class does not reshuffle the others.
    Random random(deriveSeed(seed, 0x5b117, c));
    random.shuffle(members);
    split.validation.insert(split.validation.end(), members.begin(), members.begin() + take);
    split.train.insert(split.train.end(), members.begin() + take, members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  return split;
}

std::vector<double> balancedClassWeights(const std::vector<int64_t>& labels, size_t classCount) {
  std::vector<int64_t> counts(classCount, 0);
  for (auto l : labels) ++counts.at(static_cast<size_t>(l));
  std::vector<double> weights(classCount, 0.0);
  for (size_t c = 0; c < classCount; ++c)
    if (counts[c] > 0)
      weights[c] = static_cast<double>(labels.size()) /
                   (static_cast<double>(classCount) * static_cast<double>(counts[c]));
  return weights;
}

}  // namespace graft
