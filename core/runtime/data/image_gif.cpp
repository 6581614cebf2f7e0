#include "runtime/data/image_gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstdint>
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
  // giflib leaves 0 when a frame's own description does not fit its data.
  if (code == 0) return "a frame's data does not match its description";
  const char* text = GifErrorString(code);
  return text ? text : "giflib error " + std::to_string(code);
}

struct CloseGif {
  void operator()(GifFileType* file) const {
    int ignored = 0;
    DGifCloseFile(file, &ignored);
  }
};

}  // namespace

bool looksLikeGif(const unsigned char* data, size_t size) {
  // giflib and TensorFlow go by "GIF8" too: a rarer version letter is still a GIF to decode.
  return size >= 4 && std::memcmp(data, "GIF8", 4) == 0;
}

cv::Mat decodeGifFirstFrame(const std::vector<unsigned char>& bytes, const std::string& name) {
  Reader reader{bytes.data(), bytes.size()};
  int error = D_GIF_SUCCEEDED;
  std::unique_ptr<GifFileType, CloseGif> file(DGifOpen(&reader, readFromMemory, &error));
  if (!file) throw Error(name + ": cannot read the GIF image (" + gifError(error) + ")");
  // giflib counts a frame once its descriptor is read and leaves the rest of its raster as the
  // heap had it when the data runs out (D_GIF_ERR_READ_FAILED): a frame is whole only when
  // another one follows it, or when the slurp succeeded. A file cut short inside its first
  // frame is refused (a truncated download trained on heap garbage); one cut later gives its
  // whole frames, as TensorFlow takes them.
  const bool complete = DGifSlurp(file.get()) == GIF_OK;
  const int wholeFrames = complete ? file->ImageCount : file->ImageCount - 1;
  if (wholeFrames <= 0)
    throw Error(name +
                (file->ImageCount <= 0 && complete
                     ? std::string(": the GIF file holds no image")
                     : ": the GIF image is cut short or damaged (" + gifError(file->Error) + ")"));

  // TensorFlow's canvas: the largest frame's width and height (not the logical screen's), of
  // the frames that are whole (a cut-off frame's declared 65535 x 65535 made gigabytes).
  int64_t width = 0, height = 0;
  for (int k = 0; k < wholeFrames; ++k) {
    width = std::max<int64_t>(width, file->SavedImages[k].ImageDesc.Width);
    height = std::max<int64_t>(height, file->SavedImages[k].ImageDesc.Height);
  }
  if (width <= 0 || height <= 0) throw Error(name + ": the GIF image has no pixels");
  // OpenCV's own limit for the other formats (CV_IO_MAX_IMAGE_PIXELS).
  constexpr int64_t kMaxPixels = int64_t{1} << 30;
  if (width * height > kMaxPixels)
    throw Error(name + ": the GIF image is " + std::to_string(width) + " x " +
                std::to_string(height) + " pixels, more than the " + std::to_string(kMaxPixels) +
                " Graft reads");

  const SavedImage& frame = file->SavedImages[0];
  const GifImageDesc& desc = frame.ImageDesc;
  const ColorMapObject* colours = desc.ColorMap ? desc.ColorMap : file->SColorMap;
  if (!colours) throw Error(name + ": the GIF image has no colour map");
  GraphicsControlBlock control;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  DGifSavedExtensionToGCB(file.get(), 0, &control);

  cv::Mat rgb(static_cast<int>(height), static_cast<int>(width), CV_8UC3, cv::Scalar(0, 0, 0));
  const int top = std::max(desc.Top, 0), left = std::max(desc.Left, 0);
  const int bottom = static_cast<int>(std::min<int64_t>(desc.Top + desc.Height, height));
  const int right = static_cast<int>(std::min<int64_t>(desc.Left + desc.Width, width));
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
