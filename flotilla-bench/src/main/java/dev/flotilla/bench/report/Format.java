package dev.flotilla.bench.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Number formatting shared by the console, Markdown and JSON reports. */
final class Format {
    private Format() {
    }

    /** Up to 3 decimals, no trailing zeros, plain notation. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
