#include "runtime/data/image_gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "graph/diagnostic.h"

namespace graft {

namespace {

struct Reader {
  const unsigned char* data;
  size_t left;
};

int readFromMemory(GifFileType* file, GifByteType* out, int size) {
  auto* reader = static_cast<Reader*>(file->UserData);
  const size_t n = std::min(reader->left, static_cast<size_t>(std::max(size, 0)));
  std::memcpy(out, reader->data, n);
  reader->data += n;
  reader->left -= n;
  return static_cast<int>(n);
}

std::string gifError(int code) {
  const char* text = GifErrorString(code);
  return text ? text : "unknown giflib error " + std::to_string(code);
}

struct CloseGif {
  void operator()(GifFileType* file) const {
    int ignored = 0;
    DGifCloseFile(file, &ignored);
  }
};

}  // namespace

bool looksLikeGif(const unsigned char* data, size_t size) {
  return size >= 6 && (std::memcmp(data, "GIF87a", 6) == 0 || std::memcmp(data, "GIF89a", 6) == 0);
}

cv::Mat decodeGifFirstFrame(const std::vector<unsigned char>& bytes, const std::string& name) {
  Reader reader{bytes.data(), bytes.size()};
  int error = D_GIF_SUCCEEDED;
  std::unique_ptr<GifFileType, CloseGif> file(DGifOpen(&reader, readFromMemory, &error));
  if (!file) throw Error(name + ": cannot read the GIF image (" + gifError(error) + ")");
  // A file cut short after its frames still gives them, as TensorFlow takes them; a frame whose
  // data ran out does not.
  if (DGifSlurp(file.get()) != GIF_OK &&
      (file->ImageCount <= 0 || file->SavedImages[file->ImageCount - 1].RasterBits == nullptr ||
       file->Error == D_GIF_ERR_EOF_TOO_SOON))
    throw Error(name + ": cannot read the GIF image (" + gifError(file->Error) + ")");
  if (file->ImageCount <= 0) throw Error(name + ": the GIF file holds no image");

  // TensorFlow's canvas: the largest frame's width and height (not the logical screen's).
  int width = 0, height = 0;
  for (int k = 0; k < file->ImageCount; ++k) {
    width = std::max(width, file->SavedImages[k].ImageDesc.Width);
    height = std::max(height, file->SavedImages[k].ImageDesc.Height);
  }
  if (width <= 0 || height <= 0) throw Error(name + ": the GIF image has no pixels");

  const SavedImage& frame = file->SavedImages[0];
  const GifImageDesc& desc = frame.ImageDesc;
  const ColorMapObject* colours = desc.ColorMap ? desc.ColorMap : file->SColorMap;
  if (!colours) throw Error(name + ": the GIF image has no colour map");
  GraphicsControlBlock control;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  DGifSavedExtensionToGCB(file.get(), 0, &control);

  cv::Mat rgb(height, width, CV_8UC3, cv::Scalar(0, 0, 0));
  const int top = std::max(desc.Top, 0), left = std::max(desc.Left, 0);
  const int bottom = std::min(desc.Top + desc.Height, height);
  const int right = std::min(desc.Left + desc.Width, width);
  for (int y = top; y < bottom; ++y) {
    auto* row = rgb.ptr<cv::Vec3b>(y);
    const GifByteType* indices = frame.RasterBits + static_cast<size_t>(y - desc.Top) * desc.Width;
    for (int x = left; x < right; ++x) {
      const int index = indices[x - desc.Left];
      if (index == control.TransparentColor) continue;  // black on the first frame
      if (index >= colours->ColorCount)
        throw Error(name + ": the GIF image uses colour " + std::to_string(index) +
                    ", past its colour map of " + std::to_string(colours->ColorCount));
      const GifColorType& c = colours->Colors[index];
      row[x] = cv::Vec3b(c.Red, c.Green, c.Blue);
    }
  }
  return rgb;
}

}  // namespace graft
