import GeoCore
import Wire
import XCTest

final class ReaderCSVTests: XCTestCase {
    private let options = ReaderOptions(source: "test.csv")

    func testAISSampleGivesTwoThousandPointsWhateverTheChunking() throws {
        let items = try readEveryWay(try ReaderTestData.shared("ais_uscoast_sample.csv"), options: options)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.points.count, 2000)
        let first = try XCTUnwrap(items.points.first)
        XCTAssertEqual(first, PointEvent(id: "367151850", t: 1_593_476_532_000, point: Point(lon: -86.98504, lat: 34.62055)))
    }

    func testColumnMappingAndPropsTyping() throws {
        let csv = """
        vehicle,ts,x,y,speed,name,code,count,empty
        bus-7,2020-06-30T00:00:01Z,-73.5,45.5,12.5,Dépôt Nord,007,42,
        """
        var options = options
        options.csv = try CSVOptions(mapping: "id=vehicle, t=ts,lon=x,lat=y")
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.rejections, [])
        let props: JSONObject = ["speed": .double(12.5), "name": .string("Dépôt Nord"), "code": .string("007"),
                                 "count": .integer(42)]
        XCTAssertEqual(items.points, [PointEvent(id: "bus-7", t: 1_593_475_201_000, point: Point(lon: -73.5, lat: 45.5),
                                                 props: props)])
        XCTAssertEqual(items.points.first?.props.members.map(\.key), ["speed", "name", "code", "count"])
    }

    func testMappingErrorsNameThePart() {
        XCTAssertThrowsError(try CSVOptions(mapping: "id=vehicle,speed=v")) { error in
            XCTAssertTrue("\(error)".contains("unknown field 'speed'"), "\(error)")
        }
        XCTAssertThrowsError(try CSVOptions(mapping: "id"))
        XCTAssertThrowsError(try CSVOptions(mapping: "id=a,id=b"))
    }

    func testRFC4180QuotingCRLFAndLineNumbers() throws {
        let csv = "id,t,lon,lat,note\r\n"
            + "\"a,1\",1000000000000,1,2,\"he said \"\"hi\"\"\"\r\n"
            + "b,1000000000000,1,2,\"two\nlines\"\r\n"
            + "c,1000000000000,1,2,\r\n"
            + "d,notatime,1,2,x\r\n"
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.points.map(\.id), ["a,1", "b", "c"])
        XCTAssertEqual(items.points[0].props["note"], .string("he said \"hi\""))
        XCTAssertEqual(items.points[1].props["note"], .string("two\nlines"))
        XCTAssertEqual(items.points[2].props.count, 0, "an empty field is omitted from props")
        XCTAssertEqual(items.rejections.map(\.line), [6], "line numbers count the newline inside quotes")
        XCTAssertEqual(items.rejections.first?.raw, "d,notatime,1,2,x")
    }

    func testBOMBlankLinesAndMissingFinalNewline() throws {
        let csv = "\u{FEFF}id,t,lon,lat\n\n1,1000000000000,0,0\n\n2,1000000000000,0,0"
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.points.map(\.id), ["1", "2"])
        XCTAssertEqual(items.rejections, [])
    }

    /// Each bad record between two good ones: exactly one rejection with line, column and value,
    /// and both neighbours read.
    func testEveryRejectionReasonKeepsReadingAround() throws {
        let cases: [(record: [UInt8], reason: String)] = [
            ("x,1000000000000,1,2,3".bytes, "expected 4 columns"),
            ("x,1000000000000,1".bytes, "expected 4 columns"),
            ("x,1000000000000,abc,2".bytes, "column 'lon': 'abc' is not a number"),
            ("x,1000000000000,1,1.2.3".bytes, "column 'lat': '1.2.3' is not a number"),
            ("x,yesterday,1,2".bytes, "column 't': cannot read time 'yesterday'"),
            ("x,2020-13-01T00:00:00Z,1,2".bytes, "column 't': cannot read time"),
            ("x,1000000000000,NaN,2".bytes, "column 'lon': 'NaN' is not a finite number"),
            ("x,1000000000000,1,-Infinity".bytes, "column 'lat': '-Infinity' is not a finite number"),
            ("x,1000000000000,1,1e999".bytes, "column 'lat': '1e999' is not a finite number"),
            ("x,1000000000000,180.5,2".bytes, "column 'lon': 180.5 is outside [-180, 180]"),
            ("x,1000000000000,1,-91".bytes, "column 'lat': -91.0 is outside [-90, 90]"),
            (",1000000000000,1,2".bytes, "missing id (column 'id')"),
            ("x,,1,2".bytes, "missing time (column 't')"),
            ("x,1000000000000,,2".bytes, "missing lon (column 'lon')"),
            ("x,1000000000000,1,".bytes, "missing lat (column 'lat')"),
            ("\"x\"y,1000000000000,1,2".bytes, "text after the closing quote"),
            ([0x78, 0xFF, 0xFE] + ",1000000000000,1,2".bytes, "column 'id': id is not valid UTF-8"),
        ]
        for (record, reason) in cases {
            let csv = "id,t,lon,lat\ngood1,1000000000000,1,2\n".bytes + record + "\ngood2,1000000000000,1,2\n".bytes
            let items = try readEveryWay(csv, options: options)
            let text = String(decoding: record, as: UTF8.self)
            XCTAssertEqual(items.points.map(\.id), ["good1", "good2"], text)
            XCTAssertEqual(items.rejections.count, 1, text)
            let rejection = try XCTUnwrap(items.rejections.first)
            XCTAssertEqual(rejection.line, 3, text)
            XCTAssertEqual(rejection.source, "test.csv")
            XCTAssertTrue(rejection.reason.contains(reason), "\(text): \(rejection.reason)")
            XCTAssertEqual(rejection.raw, String(decoding: record, as: UTF8.self), text)
        }
    }

    func testUnterminatedQuoteAtEndOfInput() throws {
        let csv = "id,t,lon,lat\ngood,1000000000000,1,2\n\"open,1000000000000,1,2\nmore,1,2,3\n"
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.points.map(\.id), ["good"])
        XCTAssertEqual(items.rejections.count, 1)
        XCTAssertEqual(items.rejections.first?.line, 3)
        XCTAssertTrue(items.rejections.first?.reason.contains("unterminated quoted field") ?? false)
    }

    func testOverlongRecordIsRejectedWithoutBufferingIt() throws {
        var options = options
        options.maxRecordBytes = 64
        let long = "big," + String(repeating: "9", count: 5000) + ",1,2"
        let csv = "id,t,lon,lat\na,1000000000000,1,2\n\(long)\nb,1000000000000,1,2\n"
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.points.map(\.id), ["a", "b"])
        XCTAssertEqual(items.rejections.count, 1)
        let rejection = try XCTUnwrap(items.rejections.first)
        XCTAssertEqual(rejection.line, 3)
        XCTAssertTrue(rejection.reason.contains("5008 bytes, over the limit of 64"), rejection.reason)
        XCTAssertEqual(rejection.raw, String(long.prefix(200)))
    }

    func testRawTextIsCutTo200Bytes() throws {
        let bad = "x,1000000000000,1,2," + String(repeating: "é", count: 300)
        let items = try readEveryWay("id,t,lon,lat\n\(bad)\n".bytes, options: options)
        let raw = try XCTUnwrap(items.rejections.first?.raw)
        XCTAssertLessThanOrEqual(raw.utf8.count, 200)
        XCTAssertTrue(bad.hasPrefix(raw))
    }

    func testHeaderWithoutRequiredColumnsIsFatal() {
        let error = readerError("name,time,lon,lat\na,1,2,3\n".bytes, options: options)
        XCTAssertEqual(error?.code, .badHeader)
        XCTAssertTrue(error?.message.contains("no 'id' column") ?? false, "\(String(describing: error))")
        XCTAssertEqual(readerError("id,t,lon\n".bytes, options: options)?.code, .badHeader)
        XCTAssertEqual(readerError("id,t,id,lon,lat\n".bytes, options: options)?.code, .badHeader)
    }

    func testDefaultTimeAllowsHeadersWithoutTime() throws {
        var options = options
        options.defaultTime = 5
        let items = try readEveryWay("id,lon,lat\na,1,2\n".bytes, options: options)
        XCTAssertEqual(items.points, [PointEvent(id: "a", t: 5, point: Point(lon: 1, lat: 2))])
    }

    func testWKTColumnGivesValidatedPolygons() throws {
        let csv = """
        id,t,wkt,role,zone
        p,1000000000000,"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 2 2))",,north
        m,1000000000000,"MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",fence,
        gone,1000000000000,POLYGON EMPTY,fence,
        bowtie,1000000000000,"POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))",,
        bad,1000000000000,"POLYGON ((0 0, 10 0, 10 10, 0 10 0 0))",,
        open,1000000000000,"POLYGON ((0 0, 10 0, 10 10, 0 10))",,
        line,1000000000000,"LINESTRING (0 0, 1 1)",,
        emptyobject,1000000000000,POLYGON EMPTY,,
        role,1000000000000,"POLYGON ((0 0, 1 0, 1 1, 0 0))",zone,
        ok,1000000000000,"POLYGON ((0 0, 1 0, 1 1, 0 0))",object,
        """
        let items = try readEveryWay(csv.bytes, options: options)
        XCTAssertEqual(items.polygons.map(\.id), ["p", "m", "gone", "ok"])
        let p = items.polygons[0]
        XCTAssertEqual(p.role, .object)
        XCTAssertEqual(p.props, ["zone": .string("north")])
        guard case .polygon(let polygon)? = p.geometry else { return XCTFail("expected a polygon") }
        XCTAssertEqual(polygon.holes.count, 1)
        guard case .multiPolygon(let multi)? = items.polygons[1].geometry else { return XCTFail("expected a multipolygon") }
        XCTAssertEqual(multi.polygons.count, 2)
        XCTAssertEqual(items.polygons[1].role, .fence)
        XCTAssertNil(items.polygons[2].geometry)
        let reasons = items.rejections.map(\.reason)
        XCTAssertEqual(items.rejections.map(\.line), [5, 6, 7, 8, 9, 10])
        XCTAssertTrue(reasons[0].contains("selfIntersection"), reasons[0])
        XCTAssertTrue(reasons[1].contains("column 'wkt': WKT at byte 33"), reasons[1])
        XCTAssertTrue(reasons[2].contains("ringNotClosed"), reasons[2])
        XCTAssertTrue(reasons[3].contains("LINESTRING is not supported"), reasons[3])
        XCTAssertTrue(reasons[4].contains("only meaningful for role fence"), reasons[4])
        XCTAssertTrue(reasons[5].contains("role 'zone' is not object or fence"), reasons[5])
    }

    func testFixtureWithZonesAndPositions() throws {
        let items = try readEveryWay(try ReaderTestData.fixture("zones_and_positions.csv"), options: options)
        XCTAssertEqual(items.rejections, [])
        XCTAssertEqual(items.polygons.count, 2)
        XCTAssertEqual(items.points.count, 3)
        XCTAssertEqual(items.events.map(\.t), [1_593_475_200_000, 1_593_475_200_000, 1_593_475_201_500,
                                               1_593_475_202_000, 1_593_475_203_000])
    }
}
