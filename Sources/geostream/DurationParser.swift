import ArgumentParser

/// Parses event-time durations as users write them in pipelines and flags: `500ms`, `60s`, `5m`, `2h`, `1d`.
///
/// A bare number is rejected rather than guessed (ms or s?); the error names the option.
enum DurationParser {
    static func milliseconds(_ text: String, option: String) throws -> Int64 {
        let units: [(suffix: String, factor: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            if let value = Int64(number), value > 0 {
                let (result, overflow) = value.multipliedReportingOverflow(by: unit.factor)
                if !overflow { return result }
            }
            break
        }
        throw ValidationError("\(option) takes a positive duration with a unit (ms, s, m, h, d), e.g. 500ms, 60s, 5m; got '\(text)'")
    }
}
