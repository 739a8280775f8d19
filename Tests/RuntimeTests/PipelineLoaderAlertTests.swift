import Foundation
import GeoCore
import Operators
import Runtime
import Wire
import XCTest

/// `range-alert`, `nearby` and `query:` in pipeline files: fences inline and from GeoJSON files,
/// partition rules, and the errors a user sees.
final class PipelineLoaderAlertTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-alert-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func pipeline(_ stage: String, extra: String = "") -> String {
        """
        name: fleet
        window: { size: 60s, slide: 5s }
        stages:
        \(stage)
        \(extra)
        """
    }

    func load(_ yaml: String) throws -> PipelineSpec {
        try PipelineLoader.load(yaml: yaml, baseDirectory: directory.path, sourceName: "fleet.yaml")
    }

    func loadError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do throws(PipelineError) {
            _ = try PipelineLoader.load(yaml: yaml, baseDirectory: directory.path, sourceName: "fleet.yaml")
            XCTFail("loaded, expected an error", file: file, line: line)
            return nil
        } catch {
            return error.description
        }
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func testInlineFencesOfEveryShape() throws {
        let spec = try load(pipeline("""
              - name: zones
                operator: range-alert
                detect: [enter, exit, cross]
                forget-after: 10m
                where: { type: truck, axles: 3, "code": "7" }
                fences:
                  - { id: depot, rect: [-74.0, 40.7, -73.9, 40.8] }
                  - { id: pier, circle: { center: [-74.01, 40.70], radius: 200m }, props: { owner: port } }
                  - id: yard
                    polygon: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]], [[0.5, 0.5], [0.5, 1], [1, 1], [0.5, 0.5]]]
                  - { id: islands, multipolygon: [[[[10, 10], [11, 10], [11, 11], [10, 10]]], [[[20, 20], [21, 20], [21, 21], [20, 20]]]] }
            """))
        guard case let .rangeAlert(alert) = spec.stages[0].operatorSpec else { return XCTFail("not a range-alert stage") }
        XCTAssertEqual(spec.stages[0].partition, PartitionSpec(by: .id, workers: 1), "range-alert defaults to partition by id")
        XCTAssertEqual(alert.detect, [.enter, .exit, .cross])
        XCTAssertEqual(alert.forgetAfter, 600_000)
        XCTAssertEqual(alert.filter, PropertyFilter([JSONMember("type", .string("truck")), JSONMember("axles", .integer(3)), JSONMember("code", .string("7"))]))
        XCTAssertEqual(alert.fences.map(\.id), ["depot", "pier", "yard", "islands"])
        XCTAssertEqual(alert.fences[0].shape, .rect(Rect(minX: -74.0, minY: 40.7, maxX: -73.9, maxY: 40.8)))
        XCTAssertEqual(alert.fences[1].shape, .circle(center: Point(lon: -74.01, lat: 40.70), radiusMetres: 200))
        XCTAssertEqual(alert.fences[1].props, ["owner": .string("port")])
        guard case let .polygon(yard) = alert.fences[2].shape else { return XCTFail("yard is not a polygon") }
        XCTAssertEqual(yard.holes.count, 1)
        guard case let .multiPolygon(islands) = alert.fences[3].shape else { return XCTFail("islands is not a multipolygon") }
        XCTAssertEqual(islands.polygons.count, 2)
    }

    func testFencesFromGeoJSONFilesWithFeatureIdsOrANamedProperty() throws {
        try write("zones.geojson", """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","id":"a","properties":{"name":"Alpha"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
             {"type":"Feature","properties":{"id":7,"name":"Seven"},"geometry":{"type":"Point","coordinates":[5,5]},"radius":1},
             {"type":"Feature","properties":{"id":"c","name":"Circle","radius":"2km"},"geometry":{"type":"Point","coordinates":[5,5]}}
            ]}
            """.replacingOccurrences(of: #","radius":1}"#, with: "}").replacingOccurrences(of: #"{"id":7,"name":"Seven"}"#, with: #"{"id":7,"name":"Seven","radius":50}"#))
        try write("named.geojsonl", """
            {"type":"Feature","properties":{"district":"North"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}
            {"type":"Feature","properties":{"district":"South"},"geometry":{"type":"Polygon","coordinates":[[[0,-1],[1,-1],[1,0],[0,-1]]]}}
            """)
        let spec = try load(pipeline("""
              - name: zones
                operator: range-alert
                partition: { by: id, workers: 3 }
                fences: [zones.geojson, { file: named.geojsonl, id: district }]
            """))
        guard case let .rangeAlert(alert) = spec.stages[0].operatorSpec else { return XCTFail("not a range-alert stage") }
        XCTAssertEqual(alert.fences.map(\.id), ["a", "7", "c", "North", "South"])
        XCTAssertEqual(alert.fences[1].shape, .circle(center: Point(lon: 5, lat: 5), radiusMetres: 50))
        XCTAssertEqual(alert.fences[2].shape, .circle(center: Point(lon: 5, lat: 5), radiusMetres: 2_000))
        XCTAssertEqual(alert.fences[0].props["name"], .string("Alpha"))
        XCTAssertEqual(alert.detect, [.enter, .exit], "detect defaults to enter and exit")

        // A single file name works too, and real data loads (Montreal districts: ids are strings).
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/montreal-districts-2013.geojson").path
        let districts = try load(pipeline("  - { name: zones, operator: range-alert, fences: \"\(samples)\" }"))
        guard case let .rangeAlert(real) = districts.stages[0].operatorSpec else { return XCTFail("not a range-alert stage") }
        XCTAssertEqual(real.fences.count, 58)
    }

    func testFenceErrorsNameTheFileFeatureAndLine() throws {
        try write("bad.geojson", """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
             {"type":"Feature","id":"open","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}
            ]}
            """)
        try write("dup.geojson", """
            {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}
            """)
        let base = directory.path
        let bad = loadError(pipeline("  - { name: z, operator: range-alert, fences: bad.geojson }")) ?? ""
        XCTAssertTrue(bad.hasPrefix("fleet.yaml:4: stages[0].fences: fence file \(base)/bad.geojson: feature 1 (id 'open'): ringNotClosed"), bad)
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: missing.geojson }")),
                       "fleet.yaml:4: stages[0].fences: fence file \(base)/missing.geojson does not exist")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [bad.geojson] }"))?.contains("feature 1 (id 'open')"), true)
        XCTAssertEqual(loadError(pipeline("""
              - name: z
                operator: range-alert
                fences:
                  - dup.geojson
                  - { id: ok, rect: [0, 0, 1, 1] }
            """)), "fleet.yaml:8: stages[0].fences[1]: fence id 'ok' is already defined by stages[0].fences[0], line 7")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [{ id: r, rect: [0, 0, 1] }] }")),
                       "fleet.yaml:4: stages[0].fences[0].rect: a rect is [minLon, minLat, maxLon, maxLat], got 3 numbers")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [{ id: r, circle: { center: [0, 95], radius: 5m } }] }")),
                       "fleet.yaml:4: stages[0].fences[0].circle.center: lat 95.0 is outside [-90, 90]")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [{ id: r }] }")),
                       "fleet.yaml:4: stages[0].fences[0]: a fence needs exactly one of rect, circle, polygon, multipolygon (or file: for a GeoJSON file)")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [{ id: r, rect: [0, 0, 1, 1] }], detect: [enter, exti] }")),
                       "fleet.yaml:4: stages[0].detect[1]: unknown detect kind 'exti' (known: enter, exit, inside, outside, cross); did you mean `exit`?")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert, fences: [{ id: r, rect: [0, 0, 1, 1] }], partition: { by: space, workers: 2 } }")),
                       "fleet.yaml:4: stages[0].partition: a range-alert stage keeps per-object state: partition it by id (by: id), not by space")
        XCTAssertEqual(loadError(pipeline("  - { name: z, operator: range-alert }")),
                       "fleet.yaml:4: stages[0]: missing required key 'fences' (e.g. fences: zones.geojson)")
    }

    func testNearbyPartitionsBySpaceWithAHaloOfTheDistance() throws {
        let spec = try load(pipeline("  - { name: near, operator: nearby, distance: 100m, where: { kind: ship }, partition: { by: space, workers: 3 } }"))
        guard case let .nearby(nearby) = spec.stages[0].operatorSpec else { return XCTFail("not a nearby stage") }
        XCTAssertEqual(nearby.distance, 100)
        XCTAssertEqual(nearby.filter, PropertyFilter([JSONMember("kind", .string("ship"))]))
        XCTAssertEqual(spec.stages[0].partition, PartitionSpec(by: .space, workers: 3, halo: 100))
        XCTAssertEqual(loadError(pipeline("  - { name: near, operator: nearby, distance: 100m, partition: { by: space, workers: 3, halo: 50m } }")),
                       "fleet.yaml:4: stages[0].partition: halo 50m is less than the nearby distance 100m: pairs across partition borders would be missed (leave halo out to use the distance)")
        XCTAssertEqual(loadError(pipeline("  - { name: near, operator: nearby, distance: 100m, partition: { by: id, workers: 2 } }")),
                       "fleet.yaml:4: stages[0].partition: a nearby stage pairs objects that are close: partition it by space (by: space), not by id")
        XCTAssertEqual(loadError(pipeline("  - { name: near, operator: nearby, distance: 0m }")),
                       "fleet.yaml:4: stages[0].distance: must be a positive distance")
    }

    func testQuerySection() throws {
        let stage = "  - { name: heat, operator: heatmap, level: 10 }\n  - { name: near, operator: nearby, distance: 1km }"
        XCTAssertNil(try load(pipeline(stage)).query)
        XCTAssertEqual(try load(pipeline(stage, extra: "query: true")).query, QuerySpec())
        XCTAssertNil(try load(pipeline(stage, extra: "query: false")).query)
        XCTAssertEqual(try load(pipeline(stage, extra: "query: { endpoint: \"tcp://127.0.0.1:7001\", stage: near }")).query,
                       QuerySpec(endpoint: "tcp://127.0.0.1:7001", stage: "near"))
        XCTAssertEqual(loadError(pipeline(stage, extra: "query: { stage: naer }")),
                       "fleet.yaml:6: query.stage: no stage is named 'naer' (stages: heat, near); did you mean `near`?")
        XCTAssertEqual(loadError(pipeline(stage, extra: "output: { endpoint: \"tcp://127.0.0.1:5561\" }\nquery: true")),
                       "fleet.yaml:7: query: the default query endpoint tcp://127.0.0.1:5561 is already bound by output.endpoint, line 6: give query.endpoint")
    }
}
