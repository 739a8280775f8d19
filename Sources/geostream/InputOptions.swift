import ArgumentParser
import Wire

/// The reader options every command that reads events shares (`ingest`, `index`), parsed once so
/// their flags, defaults and error messages never drift apart.
struct InputOptions: ParsableArguments {
    @Option(help: "Input format: csv, geojson or geojsonseq (default: detected from the first bytes).")
    var format: String?

    @Option(help: ArgumentHelp("CSV column mapping, field=header (fields: id, t, lon, lat, wkt, role).", valueName: "field=header,..."))
    var columns: String?

    @Option(help: "How bare numeric times are read: auto (below 1e11 is seconds), s or ms.")
    var timeUnit: String = "auto"

    @Option(parsing: .unconditional, help: ArgumentHelp("Time (epoch ms) for records without one; default: reject them.", valueName: "ms"))
    var defaultTime: Int64?

    func validate() throws {
        _ = try readerOptions(source: "check")
    }

    /// Reader options for input named `source` (a path, or "stdin"); a bad flag is a usage error.
    func readerOptions(source: String) throws -> ReaderOptions {
        var options = ReaderOptions(source: source)
        options.defaultTime = defaultTime
        if let format {
            guard let parsed = InputFormat(rawValue: format) else {
                throw ValidationError("--format must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
            }
            options.format = parsed
        }
        if let columns {
            do {
                options.csv = try CSVOptions(mapping: columns)
            } catch {
                throw ValidationError("--columns: \(error.message)")
            }
        }
        switch timeUnit {
        case "auto": options.timeUnit = .auto
        case "s": options.timeUnit = .seconds
        case "ms": options.timeUnit = .milliseconds
        default: throw ValidationError("--time-unit must be auto, s or ms, got '\(timeUnit)'")
        }
        return options
    }
}
