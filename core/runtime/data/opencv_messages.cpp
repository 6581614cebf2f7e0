#include "runtime/data/opencv_messages.h"

#include <opencv2/core/utils/logger.hpp>

namespace graft {

void turnOffOpenCvMessages() {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace graft
