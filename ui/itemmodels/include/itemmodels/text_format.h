#pragma once
// Human text of numbers in the GUI (issue 17's units decision, shared with the CLI): memory and
// bandwidth in decimal units as datasheets quote them ("80 GB", "3.35 TB/s") with the binary
// figure only in tooltips ("74.5 GiB"), times from core::formatSeconds, and never an exponent
// ("387,000", not "3.87e+05"). Used by the item models, the panels, the details
// pane and their tests.
#include <QString>

namespace rooflens::ui {

// `value` at `precision` significant digits, digits grouped by three, no exponent:
// 387123 -> "387,000", 3.9922 -> "3.99", 0.001234 -> "0.00123", 0 -> "0".
QString numberText(double value, int precision = 3);
// A count or a rate rounded to a whole number, digits grouped: 12345.6 -> "12,346".
QString integerText(double value);
// Decimal bytes: 80e9 -> "80 GB".
QString bytesText(double bytes);
// Decimal and binary together, for tooltips: 80e9 -> "80 GB (74.5 GiB)".
QString bytesWithBinaryText(double bytes);
// core::formatSeconds: 1.5e-3 -> "1.5 ms", 3.87e5 -> "387,000 s (4.5 days)".
QString durationText(double seconds);
// A share as a percentage with one decimal: 0.6123 -> "61.2 %".
QString percentText(double fraction);

}  // namespace rooflens::ui
