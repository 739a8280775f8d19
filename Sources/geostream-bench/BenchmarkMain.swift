import Foundation

/// `geostream-bench`: the foundation's performance figures, one `name: value unit` line each.
///
/// Run in release: `swift run -c release geostream-bench [--points N] [--only rtree|window|geometry]`.
/// Data is seeded, so runs are comparable; timings are wall-clock on whatever else the machine does.
@main
enum BenchmarkMain {
    static func main() {
        var pointCount = 1_000_000
        var only: String?
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--points":
                guard let value = arguments.popFirst().flatMap(Int.init), value >= 1_000 else {
                    fail("--points takes a whole number >= 1000")
                }
                pointCount = value
            case "--only":
                guard let value = arguments.popFirst(), Self.groups.contains(value) else {
                    fail("--only takes one of \(Self.groups.joined(separator: ", "))")
                }
                only = value
            case "-h", "--help":
                print("usage: geostream-bench [--points N] [--only \(Self.groups.joined(separator: "|"))]")
                print("  geometry  point-in-polygon on a 1,000-vertex polygon")
                print("  rtree     R-tree bulk load, inserts per split, queries, memory (--points, default 1,000,000)")
                print("  window    sliding-window steady state, memory and queries (--points held)")
                print("  codec     binary frames: encode/decode events/s with and without LZ4, size ratio, CRC32C")
                print("  readers   CSV and GeoJSON parse speed (1M+ events from the AIS recording)")
                print("  ingest    ingest end to end: 1.18M AIS rows, CSV file -> PUSH over tcp loopback -> decoded")
                print("  pipeline  heatmap pipeline end to end: embedded 1 and 2 workers, --processes, latency (--points events, default 1,000,000)")
                print("  alerts    range-alert with 1,000 and 100,000 fences, nearby 10,000 objects at 100 m (1 and 2 workers), alert latency (--points events)")
                print("  memory    streams a generated 1 GB GeoJSON FeatureCollection; peak RSS must stay flat")
                print("Prints one 'name: value unit' line per figure; see docs/benchmarks.md.")
                return
            default:
                fail("unknown argument '\(argument)'; see --help")
            }
        }
        #if DEBUG
        print("warning: debug build; figures are meaningless. Use: swift run -c release geostream-bench")
        #endif
        // Each group states its own data; the R-tree and window sizes come from --points.
        if only == nil || only == "rtree" || only == "window" {
            emitLine("data: \(pointCount) seeded uniform points in [0,1000)^2 (R-tree), \(pointCount) points held in the window")
        }
        let report: (String, Double, String) -> Void = { name, value, unit in
            let formatted = value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
            emitLine("\(name): \(formatted) \(unit)")
        }
        if only == nil || only == "geometry" { runGeometryBenchmarks(report: report) }
        if only == nil || only == "rtree" { runRTreeBenchmarks(pointCount: pointCount, report: report) }
        if only == nil || only == "window" { runWindowBenchmarks(pointCount: pointCount, report: report) }
        if only == nil || only == "codec" { runCodecBenchmarks(report: report) }
        if only == nil || only == "readers" { runReaderBenchmarks(report: report) }
        if only == nil || only == "ingest" { runIngestBenchmarks(report: report) }
        if only == nil || only == "pipeline" { runPipelineBenchmarks(eventCount: pointCount, report: report) }
        if only == nil || only == "alerts" { runAlertBenchmarks(eventCount: pointCount, report: report) }
        // Peak RSS covers the whole process, so the 1 GB streaming figure runs only on its own.
        if only == "memory" { runReaderMemoryBenchmark(gigabytes: 1, report: report) }
        report("peak_memory", Double(peakResidentBytes()) / 1_048_576, "MiB")
    }

    static let groups = ["geometry", "rtree", "window", "codec", "readers", "ingest", "pipeline", "alerts", "memory"]

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("geostream-bench: \(message)\n".utf8))
        exit(64)
    }

    /// Peak resident set size of this process (Linux reports ru_maxrss in KiB).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// Writes one line to stdout unbuffered, so figures, data lines and notes appear in the order they are
/// produced even when piped to a file.
func emitLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Seconds taken by `body`, from a monotonic clock.
func measureSeconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
