import Foundation
import Wire

/// Reader throughput on 1M real AIS events (the 2020-06-30 day, replicated with time shifts),
/// single-threaded, input in memory and fed in 64 KiB chunks as a file or socket would give it.
///
/// Figures: `csv_parse` (MB/s), `csv_parse_events` (events/s), `geojson_parse` (MB/s, a
/// FeatureCollection of Point Features), `geojsonseq_parse` (MB/s, one Feature per line). Each is
/// the best of three runs.
///
/// For instruction counts under callgrind, `GEOSTREAM_READER_EVENTS` shrinks the input (e.g. 100000)
/// `GEOSTREAM_READER_RUNS` the repetitions (e.g. 1) and `GEOSTREAM_READER_FORMATS` the formats
/// (e.g. `csv`); collect only the reader with `--toggle-collect='$s4Wire11EventReaderV*'`.
func runReaderBenchmarks(report: (String, Double, String) -> Void) {
    let environment = ProcessInfo.processInfo.environment
    let minimumEvents = environment["GEOSTREAM_READER_EVENTS"].flatMap { Int($0) } ?? 1_000_000
    let runs = environment["GEOSTREAM_READER_RUNS"].flatMap { Int($0) } ?? 3
    let formats = environment["GEOSTREAM_READER_FORMATS"].map { $0.split(separator: ",").map(String.init) }
        ?? InputFormat.allCases.map(\.rawValue)
    guard let rows = ReaderBenchmarkData.aisRows(minimumEvents: minimumEvents) else {
        emitLine("reader benchmarks skipped: /work/shared/data/ais_uscoast_2020-06-30.csv not found (set GEOSTREAM_DATA)")
        return
    }
    emitLine("data: \(rows.count) events from the real AIS day (time-shifted copies), read single-threaded, best of \(runs)")
    if formats.contains(InputFormat.csv.rawValue) {
        let csv = ReaderBenchmarkData.csv(rows)
        let csvRun = ReaderBenchmarkData.bestOf(runs) { ReaderBenchmarkData.read(csv, format: .csv) }
        precondition(csvRun.events == rows.count, "CSV benchmark read \(csvRun.events) of \(rows.count) events")
        report("csv_parse", Double(csv.count) / csvRun.seconds / 1e6, "MB/s")
        report("csv_parse_events", Double(csvRun.events) / csvRun.seconds, "events/s")
    }
    if formats.contains(InputFormat.geojson.rawValue) {
        let collection = ReaderBenchmarkData.featureCollection(rows)
        let collectionRun = ReaderBenchmarkData.bestOf(runs) { ReaderBenchmarkData.read(collection, format: .geojson) }
        precondition(collectionRun.events == rows.count, "GeoJSON benchmark read \(collectionRun.events) events")
        report("geojson_parse", Double(collection.count) / collectionRun.seconds / 1e6, "MB/s")
    }
    if formats.contains(InputFormat.geojsonseq.rawValue) {
        let seq = ReaderBenchmarkData.featureLines(rows)
        let seqRun = ReaderBenchmarkData.bestOf(runs) { ReaderBenchmarkData.read(seq, format: .geojsonseq) }
        precondition(seqRun.events == rows.count, "GeoJSONSeq benchmark read \(seqRun.events) events")
        report("geojsonseq_parse", Double(seq.count) / seqRun.seconds / 1e6, "MB/s")
    }
}

/// Streams a generated FeatureCollection of about `gigabytes` GB through the reader in 1 MiB chunks,
/// never holding it whole, and reports the process's peak resident set (`geojson_1gb_peak_rss`).
///
/// Run it in a fresh process (or first): peak RSS is a high-water mark for the whole process.
func runReaderMemoryBenchmark(gigabytes: Double = 1, report: (String, Double, String) -> Void) {
    let target = Int(gigabytes * 1e9)
    var reader = EventReader(options: ReaderOptions(format: .geojson, source: "generated"))
    var events = 0
    var rejected = 0
    let sink: (ReadItem) -> Void = { item in
        if case .event = item { events += 1 } else { rejected += 1 }
    }
    var chunk: [UInt8] = []
    chunk.reserveCapacity(1 << 20 + 512)
    chunk.append(contentsOf: #"{"type":"FeatureCollection","features":["#.utf8)
    var produced = 0
    var index = 0
    while produced < target {
        if index > 0 { chunk.append(UInt8(ascii: ",")) }
        let lon = -180 + Double(index % 36_000) * 0.01
        let lat = -80 + Double(index % 16_000) * 0.01
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[\#(lon),\#(lat)]},"#
            + #""properties":{"id":"\#(100_000_000 + index % 5000)","t":\#(1_593_475_200_000 + Int64(index) * 10),"sog":\#(index % 300)}}"#
        chunk.append(contentsOf: feature.utf8)
        index += 1
        if chunk.count >= 1 << 20 {
            try? chunk.withUnsafeBytes { bytes in try reader.feed(bytes, sink) }
            produced += chunk.count
            chunk.removeAll(keepingCapacity: true)
        }
    }
    chunk.append(contentsOf: "]}".utf8)
    produced += chunk.count
    try? chunk.withUnsafeBytes { bytes in try reader.feed(bytes, sink) }
    try? reader.finish(sink)
    precondition(events == index && rejected == 0, "memory benchmark read \(events) of \(index) features, \(rejected) rejected")
    var usage = rusage()
    getrusage(RUSAGE_SELF_WHO, &usage)
    report("geojson_1gb_peak_rss", Double(usage.ru_maxrss) / 1024, "MiB")
}

/// Building the benchmark inputs from the real AIS day.
private enum ReaderBenchmarkData {
    struct Row {
        var id: Substring
        var t: Int64
        var lon: Substring
        var lat: Substring
    }

    static var dataDirectory: String {
        ProcessInfo.processInfo.environment["GEOSTREAM_DATA"] ?? "/work/shared/data"
    }

    /// The day's rows, repeated with each copy shifted by a day until there are `minimumEvents`.
    static func aisRows(minimumEvents: Int) -> [Row]? {
        guard let data = FileManager.default.contents(atPath: dataDirectory + "/ais_uscoast_2020-06-30.csv"),
              let text = String(data: data, encoding: .utf8) else { return nil }
        var day: [Row] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            guard fields.count == 4, let t = Int64(fields[1]) else { continue }
            day.append(Row(id: fields[0], t: t, lon: fields[2], lat: fields[3]))
        }
        guard !day.isEmpty else { return nil }
        var rows: [Row] = []
        var shift: Int64 = 0
        while rows.count < minimumEvents {
            rows.append(contentsOf: day.prefix(minimumEvents - rows.count).map { Row(id: $0.id, t: $0.t + shift, lon: $0.lon, lat: $0.lat) })
            shift += 86_400_000
        }
        return rows
    }

    static func csv(_ rows: [Row]) -> [UInt8] {
        var text = "id,t,lon,lat\n"
        for row in rows { text += "\(row.id),\(row.t),\(row.lon),\(row.lat)\n" }
        return Array(text.utf8)
    }

    static func feature(_ row: Row) -> String {
        #"{"type":"Feature","geometry":{"type":"Point","coordinates":[\#(row.lon),\#(row.lat)]},"properties":{"id":"\#(row.id)","t":\#(row.t)}}"#
    }

    static func featureLines(_ rows: [Row]) -> [UInt8] {
        var text = ""
        for row in rows { text += feature(row) + "\n" }
        return Array(text.utf8)
    }

    static func featureCollection(_ rows: [Row]) -> [UInt8] {
        var text = #"{"type":"FeatureCollection","features":["# + "\n"
        for (k, row) in rows.enumerated() { text += (k == 0 ? "" : ",\n") + feature(row) }
        text += "\n]}\n"
        return Array(text.utf8)
    }

    /// Feeds `input` in 64 KiB chunks; the sink only counts and folds times so nothing is optimised away.
    static func read(_ input: [UInt8], format: InputFormat) -> (events: Int, checksum: Int64) {
        var reader = EventReader(options: ReaderOptions(format: format, source: "bench"))
        var events = 0
        var checksum: Int64 = 0
        let sink: (ReadItem) -> Void = { item in
            if case .event(let event) = item {
                events += 1
                checksum &+= event.t
            }
        }
        input.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 65_536)
                try? reader.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), sink)
                start = end
            }
        }
        try? reader.finish(sink)
        return (events, checksum)
    }

    static func bestOf(_ runs: Int, _ body: () -> (events: Int, checksum: Int64)) -> (events: Int, seconds: Double) {
        var best = Double.infinity
        var events = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let result = body()
            best = min(best, (ContinuousClock.now - start).seconds)
            events = result.events
        }
        return (events, best)
    }
}


#if canImport(Glibc)
/// Glibc imports `RUSAGE_SELF` as an enum case; getrusage wants its raw value.
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

