#pragma once
// An image folder as Keras's flow_from_directory and torchvision's ImageFolder read it: one
// subfolder per class, class index = position of the folder name in sorted order, images found
// recursively by file extension. Plus the splits and class weights training needs.
#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct ImageSample {
  std::string path;
  int64_t label = 0;
};

struct ImageFolder {
  std::string root;
  std::vector<std::string> classes;  // sorted folder names; index = label
  std::vector<ImageSample> samples;  // class by class, paths sorted within a class
  // Files under a class folder without an image extension (README.txt, .DS_Store, ...) and
  // hidden folders at the top (.ipynb_checkpoints): left out, listed so the user can see why.
  std::vector<std::string> ignored;

  std::vector<int64_t> classCounts() const;
};

struct ImageFolderOptions {
  // When set (a validation or evaluation folder read against the training classes): the class
  // list to use. A folder whose name is not in it is an error; a class without a folder, or
  // with an empty one, is allowed (no images of it to check).
  std::vector<std::string> classes;
};

// True for the extensions Keras reads (jpg jpeg png gif bmp) and the others OpenCV reads (ppm
// pgm tif tiff webp), any letter case.
bool hasImageExtension(const std::string& path);
// Those extensions as a user reads them: "jpg, jpeg, png, gif, ...".
std::string imageExtensionList();

// Throws graft::Error naming the folder: missing or not a folder, no class subfolders, a class
// folder without images (training classes only), no images at all.
ImageFolder scanImageFolder(const std::string& root, const ImageFolderOptions& options = {});

// Training, advice and the cut explorer tell classes apart: a folder with one class would
// "train" to a loss of 0 and an accuracy of 1 that mean nothing. Throws graft::Error naming the
// folder when it has fewer than two classes.
void checkClassesToTellApart(const ImageFolder& folder);

// Positions in ImageFolder::samples.
struct DataSplit {
  std::vector<size_t> train;
  std::vector<size_t> validation;
};

// Stratified: each class gives round(count * fraction) of its images to validation (at least
// one when the fraction is positive and the class has two or more, never all of them), chosen
// by a shuffle seeded with `seed`. Both lists come back in ascending order. Throws graft::Error
// for a fraction outside [0, 1).
DataSplit stratifiedSplit(const ImageFolder& folder, double validationFraction, uint64_t seed);

// "Balanced" class weights (scikit-learn's rule, what Keras users pass as class_weight):
// total / (classes * count), so every class contributes equally to the loss. Classes without
// images get weight 0. `labels` are the training samples' labels.
std::vector<double> balancedClassWeights(const std::vector<int64_t>& labels, size_t classCount);

}  // namespace graft
