import Foundation
import GeoCore
import Operators
import Runtime
import Transport
import Wire
import XCTest

/// The query wire forms on their own: requests round-trip, regions read from GeoJSON, merging is a
/// total order with duplicates removed, and a gateway whose workers are absent says which.
final class QueryProtocolTests: XCTestCase {
    func testRequestsRoundTripThroughTheirJSON() throws {
        let square = try Polygon(exterior: [Point(lon: 0, lat: 0), Point(lon: 1, lat: 0), Point(lon: 1, lat: 1), Point(lon: 0, lat: 1), Point(lon: 0, lat: 0)])
        let requests = [
            QueryRequest(.within(.polygon(square)), filter: QueryFilter([("type", "truck"), ("lane", "2")]), timeoutMilliseconds: 750),
            QueryRequest(.within(.multiPolygon(MultiPolygon([square, square])))),
            QueryRequest(.intersects(Rect(minX: -1.5, minY: 2, maxX: 3, maxY: 4.25))),
            QueryRequest(.radius(Point(lon: -74.01, lat: 40.7), metres: 250.5)),
            QueryRequest(.nearest(Point(lon: 179.9, lat: -89), k: 12)),
        ]
        for request in requests {
            let read = try QueryRequest(json: request.json)
            XCTAssertEqual(read, request)
            XCTAssertEqual(read.json, request.json)
            XCTAssertEqual(read.filter.pairs.map(\.key), request.filter.pairs.map(\.key))
            XCTAssertEqual(read.timeoutMilliseconds, request.timeoutMilliseconds)
        }
    }

    func testFiltersCompareStringsAsTextAndOtherValuesAsTheirJSON() {
        let props: JSONObject = ["type": .string("truck"), "axles": .integer(3), "load": .double(2.5), "full": .bool(true)]
        XCTAssertTrue(QueryFilter([("type", "truck"), ("axles", "3"), ("load", "2.5"), ("full", "true")]).matches(props))
        XCTAssertFalse(QueryFilter([("type", "truck"), ("axles", "4")]).matches(props))
        XCTAssertFalse(QueryFilter([("colour", "red")]).matches(props), "a missing prop never matches")
        XCTAssertFalse(QueryFilter([("type", "\"truck\"")]).matches(props))
        XCTAssertTrue(QueryFilter().matches([:]))
    }

    func testRegionsReadFromGeometriesFeaturesAndCollections() throws {
        let ring = "[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1,0.5],[1,1],[0.5,0.5]]]"
        let inside = Point(lon: 1.5, lat: 1.5), inHole = Point(lon: 0.8, lat: 0.6)
        for text in [
            "{\"type\":\"Polygon\",\"coordinates\":\(ring)}",
            "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\(ring)}}",
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[9,9]}},{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\(ring)}}]}",
        ] {
            let region = try GeoJSONRegion.geometry(from: try JSONValue(parsing: text))
            XCTAssertTrue(region.contains(inside), text)
            XCTAssertFalse(region.contains(inHole), text)
        }
        let two = try GeoJSONRegion.geometry(from: try JSONValue(parsing:
            "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"))
        guard case let .multiPolygon(parts) = two else { return XCTFail("expected a MultiPolygon") }
        XCTAssertEqual(parts.polygons.count, 2)
        for (text, message) in [
            ("{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}", "is a LineString"),
            ("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1]]]}", "invalid within region"),
            ("{\"type\":\"FeatureCollection\",\"features\":[]}", "holds no Polygon or MultiPolygon"),
            ("[1]", "must be a GeoJSON Polygon"),
        ] {
            XCTAssertThrowsError(try GeoJSONRegion.geometry(from: try JSONValue(parsing: text))) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }

    func testMergeOrdersByDistanceIdAndTimeDropsDuplicatesAndCutsAtK() {
        let a = QueryMatch(id: "b", t: 5, distance: 10, json: "{\"id\":\"b\",\"t\":5}")
        let b = QueryMatch(id: "a", t: 9, distance: 10, json: "{\"id\":\"a\",\"t\":9}")
        let c = QueryMatch(id: "a", t: 2, distance: 10, json: "{\"id\":\"a\",\"t\":2}")
        let d = QueryMatch(id: "z", t: 1, distance: 3, json: "{\"id\":\"z\",\"t\":1}")
        XCTAssertEqual(QueryMatch.merge([a, b, c, d, a, d]).map(\.json), [d, c, b, a].map(\.json))
        XCTAssertEqual(QueryMatch.merge([a, b, c, d, d, d], limit: 2).map(\.json), [d, c].map(\.json))
    }

    func testAGatewayWhoseWorkersAreAbsentNamesEachOneInsteadOfWaiting() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let spec = PipelineSpec(name: "lonely", window: QueryScenario.window,
                                stages: [StageSpec(name: "zones", partition: PartitionSpec(by: .id, workers: 2), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(100))))],
                                query: QuerySpec(endpoint: "tcp://127.0.0.1:*"))
        let wiring = Wiring.embedded(spec, instance: "absent")
        XCTAssertEqual(wiring.query?.stage, "zones", "the first stage answers by default")
        let gateway = try QueryGateway(spec: spec, wiring: wiring, context: context)
        let endpoint = gateway.boundEndpoint
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix("*"), endpoint)
        let stop = StopFlag()
        let box = GatewayBox(gateway)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? box.gateway.run(until: stop)
            box.gateway.close()
            done.signal()
        }.start()
        let started = Date()
        XCTAssertThrowsError(try QueryClient.ask(QueryRequest(.nearest(Point(lon: 0, lat: 0), k: 1), timeoutMilliseconds: 5_000),
                                                 endpoint: endpoint, context: context)) { error in
            XCTAssertEqual("\(error)", "worker zones/0 is not connected to the query gateway (\(wiring.query!.collect)); "
                + "worker zones/1 is not connected to the query gateway (\(wiring.query!.collect))")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "unreachable workers fail at once, not after the timeout")
        stop.raise()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)

        var wrongStage = spec
        wrongStage.query?.stage = "nowhere"
        XCTAssertThrowsError(try QueryGateway(spec: wrongStage, wiring: Wiring.embedded(wrongStage), context: context)) { error in
            XCTAssertEqual("\(error)", "query.stage 'nowhere' is not a stage of pipeline lonely; stages: zones")
        }
    }

    func testWiringFilesCarryTheQuerySettingsAndOldFilesStillRead() throws {
        let spec = PipelineSpec(name: "w", window: QueryScenario.window,
                                stages: [StageSpec(name: "a", partition: PartitionSpec(by: .id, workers: 2), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(100)))),
                                         StageSpec(name: "b", partition: PartitionSpec(by: .id, workers: 1), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(100))))],
                                query: QuerySpec(endpoint: "tcp://127.0.0.1:7000", stage: "b"))
        let fromFile = Wiring.fromFile(spec)
        XCTAssertEqual(fromFile.query, QueryWiring(stage: "b", endpoint: "tcp://127.0.0.1:7000", collect: "tcp://127.0.0.1:5604"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wiring-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try fromFile.write(to: path)
        XCTAssertEqual(try Wiring.read(from: path), fromFile)
        let free = try Wiring.freeLoopbackPorts(spec)
        XCTAssertEqual(free.query?.stage, "b")
        XCTAssertFalse(free.workers.joined().contains(free.query!.collect))
        var noQuery = spec
        noQuery.query = nil
        XCTAssertNil(Wiring.embedded(noQuery).query)
        try "{\"workers\":[[\"tcp://127.0.0.1:1\"]],\"collect\":\"tcp://127.0.0.1:2\",\"publish\":\"tcp://127.0.0.1:3\"}".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(try Wiring.read(from: path).query)
    }
}

private final class GatewayBox: @unchecked Sendable {
    let gateway: QueryGateway
    init(_ gateway: QueryGateway) { self.gateway = gateway }
}
