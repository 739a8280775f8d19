import ArgumentParser
import Runtime

/// Durations in flags, read exactly as in pipeline files (`Quantity`): `500ms`, `1.5s`, `60s`, `5m`,
/// `2h`, `1d`. A flag's duration must be positive; the error names the option.
enum DurationParser {
    static func milliseconds(_ text: String, option: String) throws -> Int64 {
        do {
            let value = try Quantity.milliseconds(parsing: text)
            if value > 0 { return value }
        } catch {
            throw ValidationError("\(option) takes a positive duration: \(error)")
        }
        throw ValidationError("\(option) takes a positive duration like 500ms, 60s or 5m; got '\(text)'")
    }
}
