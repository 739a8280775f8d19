import ArgumentParser
import Foundation
import GeoCore
import Runtime
import Transport
import Wire

/// `geostream query`: one live query against a running pipeline's current window, printed as NDJSON.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask a running pipeline which events of its current window match a region, radius or nearest.",
        discussion: """
            The pipeline must have a `query:` section (docs/queries.md). The request goes to its \
            query endpoint (--connect, default \(QuerySpec.defaultEndpoint)), which asks every worker \
            of the query stage and merges their answers from each worker's current window.

            QUERY is one of:
              within FILE.geojson                       events inside a Polygon/MultiPolygon (Feature, FeatureCollection)
              intersects MINLON,MINLAT,MAXLON,MAXLAT    events intersecting the box (edges count)
              radius LON LAT METRES                     events within METRES, with "distance", nearest first
              nearest LON LAT K                         the K nearest events, with "distance", nearest first

            Prints one JSON object per matching event: {"id","t","lon","lat","props"} for points, \
            "geometry" (GeoJSON) instead of lon/lat for polygons. within and intersects print by id, \
            then t; radius and nearest by distance, then id, then t. --where KEY=VALUE keeps events \
            whose prop KEY reads VALUE (repeatable; all must match). --windows also prints each \
            worker's window end and size on stderr.

            Exit status: 0 answered; 1 no answer (nothing listening, a worker did not answer within \
            --timeout, a malformed query), with the reason on stderr; 64 bad arguments.

            Examples:
              geostream query nearest -74.01 40.70 5
              geostream query --connect tcp://127.0.0.1:5561 intersects -74.05,40.68,-73.95,40.75 --where type=tug
              geostream query within zones.geojson --timeout 5s
            """
    )

    @Option(help: ArgumentHelp("The pipeline's query endpoint (default \(QuerySpec.defaultEndpoint)).", valueName: "endpoint"))
    var connect: String = QuerySpec.defaultEndpoint

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep events whose prop KEY reads VALUE (repeatable).", valueName: "key=value"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("How long every worker may take to answer (e.g. 500ms, 2s).", valueName: "duration"))
    var timeout: String = "2s"

    @Flag(help: "Also print each worker's window (end, events) on stderr.")
    var windows = false

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("within FILE | intersects BBOX | radius LON LAT METRES | nearest LON LAT K", valueName: "query"))
    var words: [String] = []

    func validate() throws {
        _ = try request()
    }

    func run() throws {
        let request = try request()
        do {
            let context = try MessagingContext()
            defer { context.terminate() }
            let reply = try QueryClient.ask(request, endpoint: connect, context: context)
            var text = ""
            for line in reply.lines { text += line + "\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
            if windows {
                for worker in reply.workers {
                    note("query: worker \(worker.worker) window end \(worker.windowEnd.map(String.init) ?? "none") events \(worker.windowCount)")
                }
            }
        } catch {
            note("geostream query: \(error)")
            throw ExitCode(1)
        }
    }

    func request() throws -> QueryRequest {
        guard let verb = words.first else {
            throw ValidationError("give a query: within FILE.geojson, intersects MINLON,MINLAT,MAXLON,MAXLAT, radius LON LAT METRES or nearest LON LAT K")
        }
        let operands = Array(words.dropFirst())
        func expect(_ count: Int, _ usage: String) throws {
            guard operands.count == count else { throw ValidationError("\(verb) takes \(usage); got \(operands.count) value(s): \(operands.joined(separator: " "))") }
        }
        func number(_ text: String, _ name: String) throws -> Double {
            guard let value = Double(text), value.isFinite else { throw ValidationError("\(verb): \(name) must be a number, got '\(text)'") }
            return value
        }
        func point() throws -> Point {
            let lon = try number(operands[0], "LON"), lat = try number(operands[1], "LAT")
            guard (-180...180).contains(lon), (-90...90).contains(lat) else {
                throw ValidationError("\(verb): \(lon) \(lat) is not a lon/lat position")
            }
            return Point(lon: lon, lat: lat)
        }
        let shape: QueryRequest.Shape
        switch verb {
        case "within":
            try expect(1, "FILE.geojson")
            shape = .within(try region(operands[0]))
        case "intersects":
            try expect(1, "MINLON,MINLAT,MAXLON,MAXLAT")
            let numbers = try operands[0].split(separator: ",", omittingEmptySubsequences: false).map { try number(String($0), "the box") }
            guard numbers.count == 4, numbers[0] <= numbers[2], numbers[1] <= numbers[3] else {
                throw ValidationError("intersects takes MINLON,MINLAT,MAXLON,MAXLAT with min <= max; got '\(operands[0])'")
            }
            shape = .intersects(Rect(minX: numbers[0], minY: numbers[1], maxX: numbers[2], maxY: numbers[3]))
        case "radius":
            try expect(3, "LON LAT METRES")
            let metres = try number(operands[2], "METRES")
            guard metres >= 0 else { throw ValidationError("radius: METRES must be >= 0, got \(metres)") }
            shape = .radius(try point(), metres: metres)
        case "nearest":
            try expect(3, "LON LAT K")
            guard let k = Int(operands[2]), (1...100_000).contains(k) else { throw ValidationError("nearest: K must be an integer 1...100000, got '\(operands[2])'") }
            shape = .nearest(try point(), k: k)
        default:
            throw ValidationError("unknown query '\(verb)'; use within, intersects, radius or nearest")
        }
        var filter = QueryFilter()
        for condition in conditions {
            guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
                throw ValidationError("--where takes KEY=VALUE, got '\(condition)'")
            }
            filter.pairs.append((String(condition[..<equals]), String(condition[condition.index(after: equals)...])))
        }
        let milliseconds = try DurationParser.milliseconds(timeout, option: "--timeout")
        guard milliseconds <= 600_000 else { throw ValidationError("--timeout must be at most 10m, got \(timeout)") }
        return QueryRequest(shape, filter: filter, timeoutMilliseconds: milliseconds)
    }

    private func region(_ path: String) throws -> Geometry {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("within: cannot read \(path): \(error.localizedDescription)")
        }
        do {
            let value = try data.withUnsafeBytes { raw in try Result { () throws(JSONSyntaxError) in try JSONValue(parsing: raw) }.get() }
            return try GeoJSONRegion.geometry(from: value)
        } catch {
            throw ValidationError("within: \(path): \(error)")
        }
    }
}
