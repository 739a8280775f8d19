import ArgumentParser
import Foundation
import GeoCore
import SpatialIndex

/// `geostream index`: load recorded positions into an R-tree (or replay them through an event-time
/// sliding window) and answer spatial queries, printing NDJSON.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index a file of positions and answer nearest / bbox / radius queries.",
        discussion: """
            Reads CSV (header columns id,t,lon,lat; --columns maps others), a GeoJSON FeatureCollection \
            or GeoJSON text sequences, detected from the first bytes (docs/input-formats.md). Bad records \
            are reported on stderr with their line (or byte offset) and reason, and skipped.

            Without --window every position goes into one R-tree (STR bulk load). With --window the \
            file is replayed in event time through a sliding window (windows end at multiples of \
            --slide; the window ending at T holds T-size <= t < T) and the queries are answered from \
            the window current at the end of the file, or at --until.

            Each query prints one JSON object per hit on stdout; statistics go to stderr.
            Distances are great-circle metres (haversine).

            Examples (samples/ais-uscoast-2020-06-30-first2000.csv is a real recording to try):
              geostream index positions.csv --nearest -74.02,40.68 -k 3
              geostream index positions.csv --radius -122.4,37.8,20000
              geostream index positions.csv --window 10m --slide 1m \\
                  --bbox -74.3,40.4,-73.7,40.95
            """
    )

    @Argument(help: "A file of positions: CSV (id,t,lon,lat), GeoJSON or GeoJSONSeq.")
    var file: String

    @OptionGroup var input: InputOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Print the k positions nearest to this point.", valueName: "lon,lat"))
    var nearest: String?

    @Option(name: .short, help: "How many neighbours --nearest returns.")
    var k: Int = 5

    @Option(parsing: .unconditional, help: ArgumentHelp("Print the positions inside this box.", valueName: "minLon,minLat,maxLon,maxLat"))
    var bbox: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Print the positions within a distance of a point.", valueName: "lon,lat,metres"))
    var radius: String?

    @Option(help: ArgumentHelp("Replay through a sliding window of this event-time size (e.g. 90s, 10m, 1h).", valueName: "duration"))
    var window: String?

    @Option(help: ArgumentHelp("How far the window advances each step (default: a tenth of --window).", valueName: "duration"))
    var slide: String?

    @Option(help: ArgumentHelp("Stop the replay once the watermark reaches this epoch-ms time.", valueName: "epoch-ms"))
    var until: Int64?

    @Option(help: "R-tree split algorithm: linear, quadratic or rstar.")
    var split: String?

    @Option(help: "R-tree node capacity (entries per node).")
    var nodeCapacity: Int?

    func validate() throws {
        guard k > 0 else { throw ValidationError("-k must be at least 1") }
        if slide != nil && window == nil { throw ValidationError("--slide needs --window") }
        if until != nil && window == nil { throw ValidationError("--until needs --window") }
        // Parse every value now so a typo is reported as a usage error before any file is read.
        _ = try parseQueries()
        _ = try parseTreeConfiguration()
        if let window {
            let size = try DurationParser.milliseconds(window, option: "--window")
            if let slide {
                let step = try DurationParser.milliseconds(slide, option: "--slide")
                guard step <= size else { throw ValidationError("--slide (\(slide)) must not be longer than --window (\(window))") }
            }
        }
    }

    func run() throws {
        let queries = try parseQueries()
        let treeConfiguration = try parseTreeConfiguration()
        let contents = try PositionFile.load(path: file, options: input.readerOptions(source: file))
        let records = contents.records, rejected = contents.rejected
        for rejection in rejected {
            FileHandle.standardError.write(Data("rejected: \(rejection): \(rejection.raw)\n".utf8))
        }
        if contents.polygonsSkipped > 0 {
            note("\(contents.polygonsSkipped) polygon events left out: index answers questions about positions")
        }
        let index: any PositionIndex
        if let window {
            index = try replayWindow(records: records, size: window, tree: treeConfiguration)
        } else {
            let tree = RTree(bulkLoading: records.indices.map { (bounds: Rect(point: records[$0].point), payload: $0) },
                             configuration: treeConfiguration)
            let stats = tree.statistics
            note("indexed \(records.count) positions (\(rejected.count) rejected) into an R-tree: height \(stats.height), \(stats.nodeCount) nodes, average fill \(String(format: "%.2f", stats.averageFill))")
            index = tree
        }
        for query in queries {
            for hit in index.answer(query) {
                let record = records[hit.recordIndex]
                print(jsonLine(query: query.name, record: record, distance: hit.distance))
            }
        }
    }

    private func replayWindow(records: [PositionRecord], size: String, tree: RTreeConfiguration) throws -> any PositionIndex {
        let sizeMs = try DurationParser.milliseconds(size, option: "--window")
        let slideMs = try slide.map { try DurationParser.milliseconds($0, option: "--slide") } ?? max(1, sizeMs / 10)
        let configuration: WindowConfiguration
        do {
            configuration = try WindowConfiguration(size: sizeMs, slide: slideMs, rtree: tree)
        } catch {
            throw ValidationError("\(error)")
        }
        var window = SlidingWindowIndex<Int>(configuration: configuration)
        var watermark = Int64.min
        var late = 0
        for (position, record) in records.enumerated() {
            if let until, record.time > until { break }
            watermark = max(watermark, record.time)
            if !window.insert(position, geometry: .point(record.point), time: record.time) { late += 1 }
            window.advance(to: watermark)
        }
        let slideText = slide ?? "\(slideMs)ms"
        if let end = window.windowEnd {
            let visible = window.allEntries().filter { $0.time < end }.count
            note("window of \(size) sliding by \(slideText) at watermark \(watermark): queries see [\(window.lowerBound), \(end)) = \(visible) positions; \(window.count - visible) newer ones wait for the next slide; \(late) refused as older than the window")
        } else {
            note("window of \(size) sliding by \(slideText): no slide has closed yet (watermark \(watermark)); queries see all \(window.count) positions")
        }
        return window
    }

    private func parseQueries() throws -> [PositionQuery] {
        var queries: [PositionQuery] = []
        if let nearest {
            let v = try numbers(nearest, count: 2, option: "--nearest")
            queries.append(.nearest(Point(lon: v[0], lat: v[1]), k: k))
        }
        if let bbox {
            let v = try numbers(bbox, count: 4, option: "--bbox")
            guard v[0] <= v[2], v[1] <= v[3] else { throw ValidationError("--bbox must be minLon,minLat,maxLon,maxLat with min <= max") }
            queries.append(.box(Rect(minX: v[0], minY: v[1], maxX: v[2], maxY: v[3])))
        }
        if let radius {
            let v = try numbers(radius, count: 3, option: "--radius")
            guard v[2] >= 0 else { throw ValidationError("--radius distance must be >= 0 metres") }
            queries.append(.radius(Point(lon: v[0], lat: v[1]), metres: v[2]))
        }
        return queries
    }

    private func parseTreeConfiguration() throws -> RTreeConfiguration {
        var configuration = RTreeConfiguration()
        if let split {
            guard let strategy = SplitStrategy(rawValue: split) else {
                throw ValidationError("--split must be one of \(SplitStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration = RTreeConfiguration(maxEntries: configuration.maxEntries, split: strategy)
        }
        if let nodeCapacity {
            guard nodeCapacity >= 4 else { throw ValidationError("--node-capacity must be at least 4") }
            configuration = RTreeConfiguration(maxEntries: nodeCapacity, split: configuration.split)
        }
        return configuration
    }

    private func numbers(_ text: String, count: Int, option: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else {
            throw ValidationError("\(option) takes \(count) comma-separated numbers, got '\(text)'")
        }
        return values.map { $0! }
    }

    private func jsonLine(query: String, record: PositionRecord, distance: Double?) -> String {
        var fields = [
            "\"query\":\"\(query)\"",
            "\"id\":\(jsonString(record.id))",
            "\"t\":\(record.time)",
            "\"lon\":\(record.point.lon)",
            "\"lat\":\(record.point.lat)",
        ]
        if let distance { fields.append("\"distance_m\":\((distance * 10).rounded() / 10)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
