#include "ui/axis_ticks.h"

#include <algorithm>
#include <cmath>

namespace graft::ui {

AxisTicks axisTicks(double top, int maxIntervals, bool whole) {
  maxIntervals = std::max(1, maxIntervals);
  if (!(top > 0) || !std::isfinite(top)) return {whole ? 1.0 : 0.25, whole ? 0 : 2};
  const double rough = top / maxIntervals;
  double power = std::pow(10.0, std::floor(std::log10(rough)));
  for (;; power *= 10) {
    for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
      const double interval = mantissa * power;
      // 2.5 steps are not whole below 10 (2.5 epochs); the next round step is taken instead.
      if (whole && (interval < 1 || (mantissa == 2.5 && power < 10))) continue;
      if (interval * (1 + 1e-9) < rough) continue;
      // Decimals: the power's, one more for 2.5 (0.25); none for steps of 1 and above.
      const int decimals = std::max(
          0, static_cast<int>(-std::floor(std::log10(power) + 1e-9)) + (mantissa == 2.5 ? 1 : 0));
      return {interval, whole ? 0 : decimals};
    }
  }
}

}  // namespace graft::ui
