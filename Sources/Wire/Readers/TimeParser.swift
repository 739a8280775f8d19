/// Reads event times as users write them, into epoch milliseconds UTC.
///
/// Accepted: a number (`1593476532000`, `1593476532`, `1593476532.25`, read per `TimeUnit`: with
/// `.auto` a magnitude below 10^11 is seconds, otherwise milliseconds), and ISO-8601
/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]]` (no zone means UTC; a date alone is
/// midnight). Fractions of a millisecond are rounded half away from zero. Surrounding spaces are
/// ignored. Anything else, and times that do not fit Int64 milliseconds, give nil.
public struct TimeParser: Sendable {
    public static func parse(_ bytes: UnsafeRawBufferPointer, unit: TimeUnit = .auto) -> Int64? {
        if let digits = plainDigits(bytes) {
            // The common case (epoch ms or s as bare digits), as `parseNumber` reads it.
            guard isSeconds(magnitude: Double(digits), unit: unit) else { return digits }
            let (ms, overflow) = digits.multipliedReportingOverflow(by: 1000)
            return overflow ? nil : ms
        }
        let text = bytes.trimmingSpaces()
        guard !text.isEmpty else { return nil }
        if text.count >= 10, NumberParsing.isDigit(text[0]), text[4] == UInt8(ascii: "-") {
            return parseISO(text)
        }
        return parseNumber(text, unit: unit)
    }

    /// `parse(bytes, unit:)`, reading bare digits two words at a time when `readableBytes` (bytes
    /// that may be loaded from `bytes.baseAddress`, past the field included) allows it.
    @inline(__always)
    static func parse(_ bytes: UnsafeRawBufferPointer, unit: TimeUnit, readableBytes: Int) -> Int64? {
        guard let digits = NumberParsing.wordDigits(bytes, readableBytes: readableBytes) else { return parse(bytes, unit: unit) }
        guard isSeconds(magnitude: Double(digits), unit: unit) else { return digits }
        let (ms, overflow) = digits.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : ms
    }

    public static func parse(_ text: String, unit: TimeUnit = .auto) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0), unit: unit) }
    }

    /// 1 to 18 ASCII digits and nothing else (so no overflow is possible), or nil.
    @inline(__always)
    private static func plainDigits(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, n <= 18, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var value: Int64 = 0
        for k in 0..<n {
            let digit = base[k] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return value
    }

    /// A JSON number already parsed (GeoJSON `properties.t`), under the same unit rule.
    static func time(fromInteger value: Int64, unit: TimeUnit) -> Int64? {
        if isSeconds(magnitude: Double(value.magnitude), unit: unit) {
            let (ms, overflow) = value.multipliedReportingOverflow(by: 1000)
            return overflow ? nil : ms
        }
        return value
    }

    static func time(fromDouble value: Double, unit: TimeUnit) -> Int64? {
        guard value.isFinite else { return nil }
        let ms = (isSeconds(magnitude: value.magnitude, unit: unit) ? value * 1000 : value)
            .rounded(.toNearestOrAwayFromZero)
        guard ms.magnitude < 9.2e18 else { return nil }
        return Int64(ms)
    }

    private static func isSeconds(magnitude: Double, unit: TimeUnit) -> Bool {
        switch unit {
        case .seconds: true
        case .milliseconds: false
        case .auto: magnitude < 1e11
        }
    }

    /// Exact decimal arithmetic for `[-]digits[.digits]`; exponents go through Double.
    private static func parseNumber(_ text: UnsafeRawBufferPointer, unit: TimeUnit) -> Int64? {
        var i = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative || text[0] == UInt8(ascii: "+") { i = 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < text.count, NumberParsing.isDigit(text[i]) {
            let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(text[i] &- UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            whole = sum
            digits += 1
            i += 1
        }
        var fraction: Int64 = 0  // the first three fraction digits, as milliseconds
        var roundingDigit: Int64 = 0  // the fourth
        var fractionCount = 0
        if i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            while i < text.count, NumberParsing.isDigit(text[i]) {
                let digit = Int64(text[i] &- UInt8(ascii: "0"))
                if fractionCount < 3 { fraction += digit * (fractionCount == 0 ? 100 : fractionCount == 1 ? 10 : 1) } else if fractionCount == 3 { roundingDigit = digit }
                fractionCount += 1
                digits += 1
                i += 1
            }
        }
        if i < text.count {
            // Exponent or junk: let the general number parser decide.
            switch NumberParsing.parse(text, strict: false) {
            case .integer(let value): return time(fromInteger: value, unit: unit)
            case .double(let value): return time(fromDouble: value, unit: unit)
            case .nonFinite, .invalid: return nil
            }
        }
        guard digits > 0 else { return nil }
        var ms: Int64
        let roundUp: Bool
        if isSeconds(magnitude: Double(whole), unit: unit) {
            let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1000)
            if overflow { return nil }
            ms = scaled + fraction
            roundUp = roundingDigit >= 5
        } else {
            ms = whole
            roundUp = fraction >= 500
        }
        if roundUp {
            let (next, overflow) = ms.addingReportingOverflow(1)
            if overflow { return nil }
            ms = next
        }
        return negative ? -ms : ms
    }

    private static func parseISO(_ text: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= text.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                guard NumberParsing.isDigit(text[k]) else { return nil }
                value = value * 10 + Int(text[k] &- UInt8(ascii: "0"))
            }
            i += width
            return value
        }
        func take(_ byte: Character) -> Bool {
            guard i < text.count, text[i] == byte.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0
        var offsetMinutes = 0
        if i < text.count {
            guard take("T") || take("t") || take(" ") else { return nil }
            guard let h = number(2), take(":"), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if take(":") {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if take(".") || take(",") {
                    var fraction: [Int] = []
                    while i < text.count, NumberParsing.isDigit(text[i]) {
                        if fraction.count < 4 { fraction.append(Int(text[i] &- UInt8(ascii: "0"))) }
                        i += 1
                    }
                    guard !fraction.isEmpty else { return nil }
                    while fraction.count < 4 { fraction.append(0) }
                    millis = fraction[0] * 100 + fraction[1] * 10 + fraction[2] + (fraction[3] >= 5 ? 1 : 0)
                }
            }
            if take("Z") || take("z") {
                // UTC
            } else if i < text.count, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") {
                let sign = text[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2), oh <= 23 else { return nil }
                var om = 0
                if i < text.count {
                    _ = take(":")
                    guard let m = number(2), m < 60 else { return nil }
                    om = m
                }
                offsetMinutes = sign * (oh * 60 + om)
            }
        }
        guard i == text.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
