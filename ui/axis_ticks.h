#pragma once
// Round tick steps for a chart axis from 0 up: 1, 2, 2.5 or 5 times a power of ten, with as
// many decimals as the step needs. Qt's default of five ticks over 0..1.1 x the largest value,
// printed with two decimals, read "0.00 0.00 0.01 0.01" for a loss below 0.02, and epoch ticks
// at 1.5-epoch steps printed as whole numbers repeated some.
namespace graft::ui {

struct AxisTicks {
  double interval = 1;  // between two ticks, from 0
  int decimals = 0;     // that print every tick distinctly
};

// Ticks for an axis from 0 to `top` with at most `maxIntervals` steps (at least 1); `whole`:
// the steps are whole numbers (epochs).
AxisTicks axisTicks(double top, int maxIntervals, bool whole);

}  // namespace graft::ui
