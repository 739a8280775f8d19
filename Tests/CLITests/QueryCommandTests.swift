import Foundation
import Transport
import XCTest

/// `geostream query` through the built binary against hand-started `geostream stage` processes
/// (publisher with the gateway, two workers, a source reading stdin), wired by a wiring file that
/// carries the query settings. Answers are checked against a brute-force scan written here; a
/// SIGSTOPped worker makes the query fail with its name.
final class QueryCommandTests: XCTestCase {
    var directory: URL!
    var children: [ChildProcess] = []

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-query-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for child in children {
            kill(child.process.processIdentifier, SIGCONT)
            child.stop()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    struct Position {
        var id: String
        var t: Int64
        var lon: Double
        var lat: Double
        var type: String
    }

    static let slide: Int64 = 4_000, size: Int64 = 20_000, lateness: Int64 = 1_000

    /// In-order positions over lower Manhattan (strictly increasing t, so none is late).
    static func positions(count: Int) -> [Position] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { index in
            Position(id: "v\(index % 60)", t: 1_700_000_000_000 + Int64(index) * 25,
                     lon: -74.05 + next() * 0.1, lat: 40.68 + next() * 0.1, type: ["truck", "car", "bus"][index % 3])
        }
    }

    /// Haversine as `Geodesy.distance` computes it (mean Earth radius).
    static func metres(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        let r = Double.pi / 180
        let sinHalfLat = sin((lat2 - lat1) * r / 2), sinHalfLon = sin((lon2 - lon1) * r / 2)
        let h = sinHalfLat * sinHalfLat + cos(lat1 * r) * cos(lat2 * r) * sinHalfLon * sinHalfLon
        return 6_371_008.8 * 2 * asin(min(1, h.squareRoot()))
    }

    struct Printed {
        var id: String
        var t: Int64
        var distance: Double?
        var type: String?
    }

    func parse(_ stdout: String) throws -> [Printed] {
        try stdout.split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            XCTAssertNotNil(object["lon"])
            XCTAssertNotNil(object["lat"])
            let props = try XCTUnwrap(object["props"] as? [String: Any])
            return Printed(id: try XCTUnwrap(object["id"] as? String), t: try XCTUnwrap(object["t"] as? Int64),
                           distance: object["distance"] as? Double, type: props["type"] as? String)
        }
    }

    func start(_ arguments: [String], stdin: Bool = false) throws -> ChildProcess {
        let child = try ChildProcess(arguments, stdin: stdin)
        children.append(child)
        return child
    }

    func testQueriesAgainstHandStartedStagesMatchABruteForceScanAndAStoppedWorkerIsNamed() throws {
        let ports = try (0..<5).map { _ in try freeLoopbackPort() }
        let queryEndpoint = "tcp://127.0.0.1:\(ports[4])"
        let pipeline = directory.appendingPathComponent("fleet.yaml").path
        try """
        name: fleet
        bbox: [-74.3, 40.5, -73.7, 40.95]
        window: { size: 20s, slide: 4s, lateness: 1s }
        stages:
          - { name: zones, operator: heatmap, partition: { by: id, workers: 2 }, cell: 500m }
        output: { endpoint: "tcp://127.0.0.1:*" }
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let wiring = directory.appendingPathComponent("wiring.json").path
        try """
        {"workers": [["tcp://127.0.0.1:\(ports[0])", "tcp://127.0.0.1:\(ports[1])"]], "collect": "tcp://127.0.0.1:\(ports[2])",
         "publish": "tcp://127.0.0.1:*",
         "query": {"stage": "zones", "endpoint": "\(queryEndpoint)", "collect": "tcp://127.0.0.1:\(ports[3])"}}
        """.write(toFile: wiring, atomically: true, encoding: .utf8)
        let common = ["--pipeline", pipeline, "--wiring", wiring]
        let publisher = try start(["stage", "publisher"] + common)
        let worker0 = try start(["stage", "zones", "--partition", "0"] + common)
        let worker1 = try start(["stage", "zones", "--partition", "1"] + common)
        let source = try start(["stage", "source", "-"] + common, stdin: true)

        let positions = Self.positions(count: 3_000)
        var csv = "id,t,lon,lat,type\n"
        for p in positions { csv += "\(p.id),\(p.t),\(p.lon),\(p.lat),\(p.type)\n" }
        source.write(Data(csv.utf8))
        let watermark = positions.last!.t - Self.lateness
        let windowEnd = watermark / Self.slide * Self.slide
        let window = positions.filter { $0.t >= windowEnd - Self.size && $0.t < windowEnd }
        XCTAssertGreaterThan(window.count, 500)

        // Poll until both workers answer from the window the whole stream leads to.
        var ready = false
        let deadline = Date().addingTimeInterval(30)
        while !ready && Date() < deadline {
            let result = try runGeostream(["query", "--connect", queryEndpoint, "nearest", "0", "0", "1", "--windows", "--timeout", "1s"])
            ready = result.status == 0 && result.stderr.contains("worker zones/0 window end \(windowEnd) ")
                && result.stderr.contains("worker zones/1 window end \(windowEnd) ")
            if !ready { usleep(100_000) }
        }
        XCTAssertTrue(ready, "the workers never reached window end \(windowEnd)")

        // intersects, with and without --where.
        let box = (minLon: -74.03, minLat: 40.70, maxLon: -73.99, maxLat: 40.74)
        for condition in [[], ["--where", "type=truck"]] {
            let result = try runGeostream(["query", "--connect", queryEndpoint, "intersects", "\(box.minLon),\(box.minLat),\(box.maxLon),\(box.maxLat)"] + condition)
            XCTAssertEqual(result.status, 0, result.stderr)
            let expected = window.filter { $0.lon >= box.minLon && $0.lon <= box.maxLon && $0.lat >= box.minLat && $0.lat <= box.maxLat
                && (condition.isEmpty || $0.type == "truck") }
                .sorted { ($0.id, $0.t) < ($1.id, $1.t) }
            let printed = try parse(result.stdout)
            XCTAssertEqual(printed.map(\.id), expected.map(\.id))
            XCTAssertEqual(printed.map(\.t), expected.map(\.t))
            XCTAssertGreaterThan(expected.count, 10)
            if !condition.isEmpty { XCTAssertEqual(Set(printed.compactMap(\.type)), ["truck"]) }
        }

        // within a FeatureCollection holding one rectangle: the same points as intersects.
        let region = directory.appendingPathComponent("zone.geojson").path
        try """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"zone"},"geometry":{"type":"Polygon",
         "coordinates":[[[\(box.minLon),\(box.minLat)],[\(box.maxLon),\(box.minLat)],[\(box.maxLon),\(box.maxLat)],[\(box.minLon),\(box.maxLat)],[\(box.minLon),\(box.minLat)]]]}}]}
        """.write(toFile: region, atomically: true, encoding: .utf8)
        let within = try runGeostream(["query", "--connect", queryEndpoint, "within", region])
        XCTAssertEqual(within.status, 0, within.stderr)
        let inside = window.filter { $0.lon > box.minLon && $0.lon < box.maxLon && $0.lat > box.minLat && $0.lat < box.maxLat }
            .sorted { ($0.id, $0.t) < ($1.id, $1.t) }
        XCTAssertEqual(try parse(within.stdout).map(\.t), inside.map(\.t))

        // radius and nearest: same events, in distance order, with the distance printed.
        let center = (lon: -74.0, lat: 40.72)
        func byDistance(_ list: [Position]) -> [(Position, Double)] {
            list.map { ($0, Self.metres(center.lon, center.lat, $0.lon, $0.lat)) }.sorted { ($0.1, $0.0.id, $0.0.t) < ($1.1, $1.0.id, $1.0.t) }
        }
        let radius = try runGeostream(["query", "--connect", queryEndpoint, "radius", "\(center.lon)", "\(center.lat)", "800"])
        XCTAssertEqual(radius.status, 0, radius.stderr)
        let expectedRadius = byDistance(window).filter { $0.1 <= 800 }
        let printedRadius = try parse(radius.stdout)
        XCTAssertEqual(printedRadius.map(\.t), expectedRadius.map(\.0.t))
        for (printed, expected) in zip(printedRadius, expectedRadius) {
            XCTAssertEqual(try XCTUnwrap(printed.distance), expected.1, accuracy: 1e-6)
        }
        let nearest = try runGeostream(["query", "--connect", queryEndpoint, "nearest", "\(center.lon)", "\(center.lat)", "7", "--where", "type=bus"])
        XCTAssertEqual(nearest.status, 0, nearest.stderr)
        XCTAssertEqual(try parse(nearest.stdout).map(\.t), byDistance(window.filter { $0.type == "bus" }).prefix(7).map(\.0.t))

        // A stopped worker: the query fails naming it, then works again once it runs.
        kill(worker1.process.processIdentifier, SIGSTOP)
        let stopped = try runGeostream(["query", "--connect", queryEndpoint, "nearest", "\(center.lon)", "\(center.lat)", "3", "--timeout", "500ms"])
        kill(worker1.process.processIdentifier, SIGCONT)
        XCTAssertEqual(stopped.status, 1)
        XCTAssertEqual(stopped.stdout, "")
        XCTAssertTrue(stopped.stderr.contains("geostream query: worker zones/1 did not answer within 500ms"), stopped.stderr)
        XCTAssertFalse(stopped.stderr.contains("zones/0"), stopped.stderr)
        let again = try runGeostream(["query", "--connect", queryEndpoint, "nearest", "\(center.lon)", "\(center.lat)", "3"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try parse(again.stdout).map(\.t), byDistance(window).prefix(3).map(\.0.t))

        source.closeInput()
        for (name, child) in [("source", source), ("zones/0", worker0), ("zones/1", worker1), ("publisher", publisher)] {
            let result = child.finish(timeout: 30)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
        }
    }

    func testNothingListeningIsAClearErrorAndBadArgumentsExit64() throws {
        let port = try freeLoopbackPort()
        let started = Date()
        let result = try runGeostream(["query", "--connect", "tcp://127.0.0.1:\(port)", "radius", "-74", "40.7", "100", "--timeout", "300ms"])
        XCTAssertEqual(result.status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertTrue(result.stderr.contains("no reply from tcp://127.0.0.1:\(port) within 1300ms; is a pipeline with query: running there?"), result.stderr)

        for (arguments, message) in [
            (["nearest", "-74", "40.7"], "nearest takes LON LAT K; got 2 value(s)"),
            (["nearest", "-74", "40.7", "0"], "nearest: K must be an integer 1...100000"),
            (["intersects", "1,2,0,3"], "intersects takes MINLON,MINLAT,MAXLON,MAXLAT with min <= max"),
            (["radius", "-74", "91", "10"], "is not a lon/lat position"),
            (["within", "/nonexistent.geojson"], "within: cannot read /nonexistent.geojson"),
            (["closest", "1", "2"], "unknown query 'closest'"),
            (["nearest", "1", "2", "3", "--where", "novalue"], "--where takes KEY=VALUE"),
            (["nearest", "1", "2", "3", "--timeout", "soon"], "--timeout takes a positive duration"),
            ([], "give a query"),
        ] {
            let bad = try runGeostream(["query"] + arguments)
            XCTAssertEqual(bad.status, 64, "\(arguments): \(bad.stderr)")
            XCTAssertTrue(bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
        }
    }
}
