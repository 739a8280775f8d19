import GeoCore
import Operators
import Wire
import XCTest

final class JSONTextTests: XCTestCase {
    func render(_ append: (inout JSONText) -> Void) -> String {
        var json = JSONText()
        append(&json)
        return json.text
    }

    func testDoublesPrintShortestRoundTripAndNonFiniteAsNull() throws {
        let values: [Double] = [0, -0.0, 1, 0.1, 1e-5, 1e16, -74.00597, 51.50874245880333, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for value in values {
            let text = render { $0.appendDouble(value) }
            XCTAssertEqual(Double(text)?.bitPattern, value.bitPattern, text)
            guard case let .double(parsed) = try JSONValue(parsing: text) else { return XCTFail("\(text) is not read as a double") }
            XCTAssertEqual(parsed.bitPattern, value.bitPattern)
        }
        XCTAssertEqual(render { $0.appendDouble(0.1) }, "0.1")
        XCTAssertEqual(render { $0.appendDouble(3) }, "3.0")
        XCTAssertEqual(render { $0.appendDouble(.nan) }, "null")
        XCTAssertEqual(render { $0.appendDouble(-.infinity) }, "null")
    }

    func testIntegersPrintExactlyIncludingTheExtremes() {
        for value: Int64 in [0, 7, -7, 10, 1_000_000, -5_000, .max, .min] {
            XCTAssertEqual(render { $0.appendInteger(value) }, String(value))
        }
        XCTAssertEqual(render { $0.appendInteger(42 as Int) }, "42")
    }

    func testStringsEscapeQuotesBackslashesAndControlCharacters() throws {
        let text = "a\"b\\c\nd\te\r\u{01}\u{1F}é😀/"
        let rendered = render { $0.appendString(text) }
        XCTAssertEqual(rendered, #""a\"b\\c\nd\te\r\u0001\u001fé😀/""#)
        XCTAssertEqual(try JSONValue(parsing: rendered), .string(text))
        XCTAssertEqual(render { $0.appendString("") }, #""""#)
    }

    func testPolygonIsGeoJSONWithEveryRingAsStored() throws {
        let exterior = [Point(lon: 0, lat: 0), Point(lon: 2, lat: 0), Point(lon: 2, lat: 2), Point(lon: 0, lat: 2), Point(lon: 0, lat: 0)]
        let hole = [Point(lon: 0.5, lat: 0.5), Point(lon: 0.5, lat: 1), Point(lon: 1, lat: 1), Point(lon: 0.5, lat: 0.5)]
        let rendered = render { $0.appendGeoJSON(Polygon(uncheckedExterior: exterior, holes: [hole])) }
        XCTAssertEqual(rendered, #"{"type":"Polygon","coordinates":[[[0.0,0.0],[2.0,0.0],[2.0,2.0],[0.0,2.0],[0.0,0.0]],"#
            + #"[[0.5,0.5],[0.5,1.0],[1.0,1.0],[0.5,0.5]]]}"#)
        XCTAssertNoThrow(try JSONValue(parsing: rendered))
    }

    func testRectOutlineIsTheClosedCounterClockwiseRing() {
        let rect = Rect(minX: -1.5, minY: 2, maxX: 3, maxY: 4.25)
        let outline = render { $0.appendGeoJSONPolygon(outlining: rect) }
        XCTAssertEqual(outline, #"{"type":"Polygon","coordinates":[[[-1.5,2.0],[3.0,2.0],[3.0,4.25],[-1.5,4.25],[-1.5,2.0]]]}"#)
        XCTAssertEqual(outline, render { $0.appendGeoJSON(Polygon(uncheckedExterior: JSONText.counterClockwiseRing(outlining: rect))) })
    }
}
