import GeoCore
import Wire
import XCTest

final class ReaderGeoJSONTests: XCTestCase {
    private let options = ReaderOptions(source: "test.geojson")

    private func line(_ id: String, _ t: String, _ geometry: String, extra: String = "") -> String {
        #"{"type":"Feature","geometry":\#(geometry),"properties":{"id":"\#(id)","t":\#(t)\#(extra)}}"#
    }

    func testAISLinesEqualTheCSVEventsInEveryFraming() throws {
        let csv = try EventReader.readAll(try ReaderTestData.shared("ais_uscoast_sample.csv"), options: options).events
        let lines = try ReaderTestData.shared("ais_uscoast_sample.geojsonl")
        var reader = EventReader(options: options)
        var items: [ReadItem] = []
        try reader.feed(lines) { items.append($0) }
        try reader.finish { items.append($0) }
        XCTAssertEqual(reader.detectedFormat, .geojsonseq)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.events.count, 2000)
        XCTAssertEqual(items.events, csv)
        XCTAssertEqual(try readEveryWay(lines, options: options), items)

        // RFC 8142: each record prefixed by 0x1E.
        let sequence: [UInt8] = lines.split(separator: 0x0A).flatMap { [UInt8(0x1E)] + Array($0) + [UInt8(0x0A)] }
        XCTAssertEqual(try readEveryWay(sequence, options: options).events, csv)

        // The same Features inside a FeatureCollection.
        let features = lines.split(separator: 0x0A).map { Array($0) }
        let collection = #"{"type": "FeatureCollection", "name": "ais", "features": ["#.bytes
            + Array(features.joined(separator: ",\n  ".bytes)) + "]}\n".bytes
        var detect = EventReader(options: options)
        try detect.feed(collection) { _ in }
        XCTAssertEqual(detect.detectedFormat, .geojson)
        XCTAssertEqual(try readEveryWay(collection, options: options).events, csv)
    }

    func testMontrealDistrictsClockwiseRingsAreAccepted() throws {
        var options = options
        options.defaultTime = 0
        let items = try readEveryWay(try ReaderTestData.shared("montreal_districts.geojson"), options: options)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.polygons.count, 58)
        let multi = items.polygons.filter { if case .multiPolygon? = $0.geometry { true } else { false } }
        XCTAssertEqual(multi.count, 8)
        XCTAssertEqual(items.polygons.first?.id, "11")
        XCTAssertEqual(items.polygons.first?.props, ["district": .string("11-Sault-au-Récollet")])
        XCTAssertTrue(items.polygons.allSatisfy { $0.role == .object && $0.t == 0 })

        // Without a default time, every Feature lacks one.
        let strict = try EventReader.readAll(try ReaderTestData.shared("montreal_districts.geojson"), options: self.options)
        XCTAssertEqual(strict.rejections.count, 58)
        XCTAssertTrue(strict.rejections.allSatisfy { $0.reason.contains("missing time") && $0.offset != nil })
    }

    func testCountriesIncludingFloatNoisePastTheAntimeridian() throws {
        var options = options
        options.defaultTime = 0
        options.defaultRole = .fence
        let items = try readEveryWay(try ReaderTestData.shared("countries.geojson"), options: options)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.polygons.count, 177)
        let russia = try XCTUnwrap(items.polygons.first { $0.id == "Russia" })
        XCTAssertEqual(russia.role, .fence)
        XCTAssertEqual(russia.props["pop_est"].map { if case .integer = $0 { true } else { false } }, true)
        XCTAssertTrue(russia.geometry?.contains(Point(lon: 37.6, lat: 55.75)) ?? false, "Moscow is in Russia")
        let southAfrica = try XCTUnwrap(items.polygons.first { $0.id == "South Africa" })
        guard case .polygon(let polygon)? = southAfrica.geometry else { return XCTFail("South Africa is one polygon") }
        XCTAssertEqual(polygon.holes.count, 1)
    }

    func testFeatureIDsTimesAndMultiPoint() throws {
        let text = [
            #"{"type":"Feature","id":17,"geometry":{"type":"Point","coordinates":[1,2,30]},"properties":{"time":"2020-06-30T00:00:00.250Z","speed":3.5}}"#,
            #"{"type":"Feature","id":"a","geometry":{"coordinates":[[1,2],[3,4]],"type":"MultiPoint"},"properties":{"timestamp":1593475200.5,"tags":["x",null,true]}}"#,
            #"{"properties":{"id":"b","t":1593475200000,"t2":"keep"},"geometry":{"type":"Point","coordinates":[-180,-90]},"type":"Feature"}"#,
            #"{"type":"Feature","id":"s\u00e9","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"t":1}}"#,
        ].joined(separator: "\n")
        let items = try readEveryWay(text.bytes, options: options)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.points, [
            PointEvent(id: "17", t: 1_593_475_200_250, point: Point(lon: 1, lat: 2), props: ["speed": .double(3.5)]),
            PointEvent(id: "a", t: 1_593_475_200_500, point: Point(lon: 1, lat: 2),
                       props: ["tags": .array([.string("x"), .null, .bool(true)])]),
            PointEvent(id: "a", t: 1_593_475_200_500, point: Point(lon: 3, lat: 4),
                       props: ["tags": .array([.string("x"), .null, .bool(true)])]),
            PointEvent(id: "b", t: 1_593_475_200_000, point: Point(lon: -180, lat: -90), props: ["t2": .string("keep")]),
            PointEvent(id: "sé", t: 1000, point: Point(lon: 0, lat: 0)),
        ])
    }

    func testPolygonRolesAndFenceRemoval() throws {
        let square = #"{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}"#
        let text = [
            line("z", "1000000000000", square, extra: #","role":"fence","name":"zone""#),
            line("z", "2000000000000", "null", extra: #","role":"fence""#),
            line("o", "1000000000000", square),
            line("e", "1000000000000", #"{"type":"Polygon","coordinates":[]}"#, extra: #","role":"fence""#),
        ].joined(separator: "\n")
        let items = try readEveryWay(text.bytes, options: options)
        XCTAssertEqual(items.rejections, [])
        let polygons = items.polygons
        XCTAssertEqual(polygons.map(\.role), [.fence, .fence, .object, .fence])
        XCTAssertEqual(polygons[0].props, ["name": .string("zone")])
        XCTAssertNotNil(polygons[0].geometry)
        XCTAssertNil(polygons[1].geometry)
        XCTAssertNil(polygons[3].geometry)
    }

    /// Every rejection reason, each between two good lines that must both be read.
    func testEveryRejectionReasonKeepsReadingAround() throws {
        let point = #"{"type":"Point","coordinates":[1,2]}"#
        let cases: [(String, String)] = [
            (line("x", "1", #"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#), "geometry type 'LineString' is not supported"),
            (line("x", "1", #"{"type":"GeometryCollection","geometries":[]}"#), "'GeometryCollection' is not supported"),
            (#"{"type":"Feature","geometry":\#(point),"properties":{"t":1}}"#, "missing id"),
            (#"{"type":"Feature","id":true,"geometry":\#(point),"properties":{"t":1}}"#, "id must be a string or a number"),
            (#"{"type":"Feature","id":"x","geometry":\#(point),"properties":{}}"#, "missing time"),
            (line("x", #""noon""#, point), #"properties.t: cannot read time "noon""#),
            (line("x", "1", #"{"type":"Point","coordinates":[181,2]}"#), "lon 181.0 is outside [-180, 180]"),
            (line("x", "1", #"{"type":"Point","coordinates":[1,-90.5]}"#), "lat -90.5 is outside [-90, 90]"),
            (line("x", "1", #"{"type":"Point","coordinates":[1]}"#), "a position needs at least 2 numbers"),
            (line("x", "1", #"{"type":"Point","coordinates":[[1,2]]}"#), "Point coordinates must be one position"),
            (line("x", "1", #"{"type":"Point","coordinates":[1,1e999]}"#), "number is too large"),
            (line("x", "1", #"{"type":"Point","coordinates":[1,NaN]}"#), "invalid JSON"),
            (line("x", "1", #"{"type":"Point"}"#), "Point geometry has no \"coordinates\""),
            (line("x", "1", #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#), "ringNotClosed"),
            (line("x", "1", #"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#), "selfIntersection"),
            (line("x", "1", #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#), "tooFewPositions"),
            (line("x", "1", #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,6],[6,5],[5,6],[5,5]]]]}"#),
             "polygon 1"),
            (line("x", "1", #"{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]}"#, extra: #","role":"zone""#),
             #"properties.role: "zone" is not "object" or "fence""#),
            (line("x", "1", "null"), "null geometry (allowed only for role fence"),
            (#"{"type":"Feature","id":"x","properties":{"t":1}}"#, "no \"geometry\" member"),
            (#"{"type":"Featur","id":"x","geometry":\#(point),"properties":{"t":1}}"#, "type is 'Featur', expected 'Feature'"),
            (#"{"type":"FeatureCollection","features":[]}"#, "expected 'Feature'"),
            (#"[1,2]"#, "expected a Feature object"),
            (#"{"type":"Feature","id":"x","geometry":\#(point),"properties":{"t":1}"#, "invalid JSON"),
            (#"{"type":"Feature","id":"x\u12","geometry":\#(point)}"#, "invalid hex digit"),
            (#"{"type":"Feature","id":"x\ud800","geometry":\#(point)}"#, "unpaired surrogate"),
            (#"{"type":"Feature","id":"x","geometry":\#(point),"properties":{"t":01}}"#, "malformed number '01'"),
            (#"{"type":"Feature","x":"# + String(repeating: "[", count: 100_000), "nesting deeper than 64"),
            (#"{"type":"Feature","id":"x","geometry":\#(point),"properties":{"t":1,"p":"# + String(repeating: "[", count: 70) + "]}}",
             "nesting deeper than 64"),
        ]
        for (record, reason) in cases {
            let good1 = line("good1", "1", point)
            let good2 = line("good2", "1", point)
            let text = "\(good1)\n\(record)\n\(good2)\n"
            let items = try readEveryWay(text.bytes, options: ReaderOptions(format: .geojsonseq, source: "s"))
            XCTAssertEqual(items.points.map(\.id), ["good1", "good2"], record)
            XCTAssertEqual(items.rejections.count, 1, record)
            guard let rejection = items.rejections.first else { continue }
            XCTAssertEqual(rejection.line, 2, record)
            XCTAssertEqual(rejection.offset, good1.utf8.count + 1, record)
            XCTAssertTrue(rejection.reason.contains(reason), "\(record.prefix(120)): \(rejection.reason)")
            XCTAssertEqual(rejection.raw, String(record.prefix(200)), record)
        }
    }

    func testInvalidUTF8AndOverlongStringsAreRejected() throws {
        let good = line("g", "1", #"{"type":"Point","coordinates":[1,2]}"#)
        let bad = #"{"type":"Feature","id":"#.bytes + [0x22, 0xC3, 0x28, 0x22] + #","geometry":null}"#.bytes
        var items = try readEveryWay(good.bytes + [0x0A] + bad + [0x0A] + good.bytes, options: options)
        XCTAssertEqual(items.points.count, 2)
        XCTAssertTrue(items.rejections.first?.reason.contains("not valid UTF-8") ?? false)

        var options = options
        options.maxStringBytes = 16
        let long = line(String(repeating: "x", count: 17), "1", #"{"type":"Point","coordinates":[1,2]}"#)
        items = try readEveryWay((good + "\n" + long + "\n" + good).bytes, options: options)
        XCTAssertEqual(items.points.count, 2)
        XCTAssertTrue(items.rejections.first?.reason.contains("string longer than 16 bytes") ?? false)
    }

    func testOversizedRecordsAreRejectedNotBuffered() throws {
        var options = options
        options.maxRecordBytes = 200
        options.maxFeatureBytes = 200
        let good = line("g", "1", #"{"type":"Point","coordinates":[1,2]}"#)
        let big = line("big", "1", #"{"type":"Point","coordinates":[1,2]}"#, extra: #","pad":""# + String(repeating: "p", count: 5000) + #"""#)
        let lines = try readEveryWay([good, big, good].joined(separator: "\n").bytes, options: options)
        XCTAssertEqual(lines.points.count, 2)
        XCTAssertEqual(lines.rejections.first?.line, 2)
        XCTAssertTrue(lines.rejections.first?.reason.contains("over the limit of 200") ?? false)

        let collection = #"{"type":"FeatureCollection","features":[\#(good),\#(big),\#(good)]}"#
        let items = try readEveryWay(collection.bytes, options: options)
        XCTAssertEqual(items.points.count, 2)
        let rejection = try XCTUnwrap(items.rejections.first)
        XCTAssertEqual(rejection.offset, #"{"type":"FeatureCollection","features":["#.utf8.count + good.utf8.count + 1)
        XCTAssertTrue(rejection.reason.contains("Feature is \(big.utf8.count) bytes"), rejection.reason)
        XCTAssertEqual(rejection.raw, String(big.prefix(200)))
    }

    func testCollectionMembersInAnyOrderAndBadElements() throws {
        let good = line("g", "1", #"{"type":"Point","coordinates":[1,2]}"#)
        let text = """
        {"bbox": [0, 0, 1, 1], "features": [ \(good), null, 5, "x", {"type":"Feature"}, \(good) ],
         "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "type": "FeatureCollection"}
        """
        let items = try readEveryWay(text.bytes, options: options)
        XCTAssertEqual(items.points.count, 2)
        XCTAssertEqual(items.rejections.count, 4)
        XCTAssertTrue(items.rejections.allSatisfy { $0.offset != nil && $0.line == nil })
    }

    func testBrokenCollectionStructureIsFatal() throws {
        let good = line("g", "1", #"{"type":"Point","coordinates":[1,2]}"#)
        XCTAssertEqual(readerError(#"{"type":"Topology","features":[]}"#.bytes, options: options)?.code, .malformedCollection)
        XCTAssertEqual(readerError(#"{"type":"FeatureCollection","features":{}}"#.bytes, options: options)?.code,
                       .malformedCollection)
        XCTAssertEqual(readerError(#"{"type":"FeatureCollection","features":[]} trailing"#.bytes, options: options)?.code,
                       .malformedCollection)
        XCTAssertEqual(readerError(#"{"type":"FeatureCollection","features":[\#(good) \#(good)]}"#.bytes, options: options)?.code,
                       .malformedCollection)

        // Truncated inside a Feature: the complete ones are read, the partial one rejected, then the error.
        let truncated = #"{"type":"FeatureCollection","features":[\#(good),\#(good.prefix(30))"#
        var items: [ReadItem] = []
        var reader = EventReader(options: options)
        XCTAssertThrowsError(try {
            try reader.feed(truncated.bytes) { items.append($0) }
            try reader.finish { items.append($0) }
        }()) { error in XCTAssertEqual((error as? ReaderError)?.code, .truncated) }
        XCTAssertEqual(items.points.count, 1)
        XCTAssertTrue(items.rejections.first?.reason.contains("truncated") ?? false)
    }

    func testDetection() throws {
        func detected(_ text: String) throws -> InputFormat? {
            var reader = EventReader(options: ReaderOptions())
            try? reader.feed(text.bytes) { _ in }
            try? reader.finish { _ in }
            return reader.detectedFormat
        }
        XCTAssertEqual(try detected("id,t,lon,lat\n"), .csv)
        XCTAssertEqual(try detected("\u{1E}{\"type\":\"Feature\"}\n"), .geojsonseq)
        XCTAssertEqual(try detected("{\"type\":\"Feature\"}\n{\"type\":\"Feature\"}\n"), .geojsonseq)
        XCTAssertEqual(try detected("  {\n  \"type\": \"FeatureCollection\",\n \"features\": []}"), .geojson)
        XCTAssertEqual(try detected("{\"features\":[], \"type\":\"FeatureCollection\"}"), .geojson)
        // A live stream of lines is recognised at the end of the first line, without waiting for more.
        var reader = EventReader(options: ReaderOptions())
        var items: [ReadItem] = []
        try reader.feed(line("a", "1", #"{"type":"Point","coordinates":[1,2]}"#).bytes + [0x0A]) { items.append($0) }
        XCTAssertEqual(reader.detectedFormat, .geojsonseq)
        XCTAssertEqual(items.points.count, 1)
    }
}
