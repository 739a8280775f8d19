/// Durations and distances as people write them in pipeline files: `500ms`, `1.5s`, `5m`, `2km`.
///
/// A number always needs its unit (is `60` seconds or ms? metres or km?) except `0`, which means the
/// same in every unit. Durations must come out a whole number of milliseconds (`1.5s` yes,
/// `0.0001s` no) because event times are integer ms and a rounded window would drift from the
/// one the user asked for. Negative values are not quantities here; the grammar has no sign.
public enum Quantity {
    /// Duration units, longest-lived spelling first in the docs' order.
    static let durationUnits: [(unit: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]
    static let distanceUnits: [(unit: String, metres: Double)] = [("m", 1), ("km", 1_000)]

    /// Longer than any path on Earth; a bigger distance is a typo, not a parameter.
    public static let maximumMetres: Double = 40_075_000

    /// Milliseconds in `text` (`500ms`, `60s`, `5m`, `2h`, `1d`, decimals when exact, `0`).
    public static func milliseconds(parsing text: String) throws(QuantityError) -> Int64 {
        let example = "a duration like 500ms, 60s or 5m"
        guard let (number, unit) = split(text) else { throw QuantityError("expected \(example), got '\(text)'") }
        if unit.isEmpty {
            guard number.isZero else {
                throw QuantityError("expected \(example), got '\(text)' (a number needs a unit: ms, s, m, h or d)")
            }
            return 0
        }
        guard let factor = durationUnits.first(where: { $0.unit == unit })?.milliseconds else {
            throw QuantityError("expected \(example), got '\(text)' (units: ms, s, m, h, d)")
        }
        guard let scaled = number.times(factor) else {
            throw QuantityError("duration '\(text)' is too large")
        }
        guard let whole = scaled.exactValue else {
            throw QuantityError("duration '\(text)' is not a whole number of milliseconds")
        }
        return whole
    }

    /// Metres in `text` (`50m`, `2km`, `0.5km`, `0`), finite and at most `maximumMetres`.
    public static func metres(parsing text: String) throws(QuantityError) -> Double {
        let example = "a distance like 50m or 2km"
        guard let (number, unit) = split(text) else { throw QuantityError("expected \(example), got '\(text)'") }
        if unit.isEmpty {
            guard number.isZero else {
                throw QuantityError("expected \(example), got '\(text)' (a number needs a unit: m or km)")
            }
            return 0
        }
        guard let factor = distanceUnits.first(where: { $0.unit == unit })?.metres else {
            throw QuantityError("expected \(example), got '\(text)' (units: m, km)")
        }
        guard let value = Double(number.text), value.isFinite, value * factor <= maximumMetres else {
            throw QuantityError("distance '\(text)' is larger than the Earth's circumference (40075km)")
        }
        return value * factor
    }

    /// The count in `N events` (or `1 event`), or nil when `text` is not that shape.
    public static func eventCount(parsing text: String) -> Int? {
        guard let (number, unit) = split(text), unit == "events" || unit == "event",
              number.fractionDigits == 0, let count = Int(number.text) else { return nil }
        return count
    }

    /// The shortest exact spelling of a duration: `60000` -> `1m`, `1500` -> `1500ms`.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        for (unit, factor) in durationUnits.reversed() where milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    /// `2000` -> `2km`, `50` -> `50m`, `1500` -> `1500m`, `0.5` -> `0.5m`.
    public static func format(metres: Double) -> String {
        if metres >= 1_000, metres.truncatingRemainder(dividingBy: 1_000) == 0 {
            return "\(Int64(metres / 1_000))km"
        }
        if metres == metres.rounded(), abs(metres) < 1e15 { return "\(Int64(metres))m" }
        return "\(metres)m"
    }

    /// Splits `12.5 km` into its decimal number and unit; nil when it does not start with digits.
    private static func split(_ text: String) -> (DecimalNumber, String)? {
        let trimmed = text.trimmingWhitespace
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let numberText = trimmed[..<numberEnd]
        guard let number = DecimalNumber(numberText) else { return nil }
        let unit = trimmed[numberEnd...].trimmingWhitespace
        return (number, unit)
    }
}

/// Why a quantity did not parse; the loader adds the file, line and key.
public struct QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A non-negative decimal kept as digits and a scale so `1.5s` converts to ms without rounding.
private struct DecimalNumber {
    let text: String
    /// All digits, the decimal point removed: `12.50` -> 1250.
    let mantissa: Int64
    let fractionDigits: Int

    init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integerPart = parts.first, !integerPart.isEmpty,
              parts.count == 1 || !parts[1].isEmpty else { return nil }
        let digits = parts.joined()
        guard digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let mantissa = Int64(digits) else {
            return nil
        }
        self.text = String(text)
        self.mantissa = mantissa
        self.fractionDigits = parts.count == 2 ? parts[1].count : 0
    }

    var isZero: Bool { mantissa == 0 }

    /// The number times `factor`, still scaled by 10^fractionDigits; nil on overflow.
    func times(_ factor: Int64) -> ScaledValue? {
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: factor)
        return overflow ? nil : ScaledValue(scaled: product, fractionDigits: fractionDigits)
    }

    struct ScaledValue {
        let scaled: Int64
        let fractionDigits: Int

        /// The integer value, or nil when the fraction does not cancel out.
        var exactValue: Int64? {
            var divisor: Int64 = 1
            for _ in 0..<fractionDigits { divisor *= 10 }
            return scaled % divisor == 0 ? scaled / divisor : nil
        }
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
