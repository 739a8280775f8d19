import GeoCore
import Operators
import Wire
import XCTest

final class JSONTextTests: XCTestCase {
    func render(_ append: (inout String) -> Void) -> String {
        var out = ""
        append(&out)
        return out
    }

    func testDoublesPrintShortestRoundTripAndNonFiniteAsNull() throws {
        let values: [Double] = [0, -0.0, 1, 0.1, 1e-5, 1e16, -74.00597, 51.50874245880333, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for value in values {
            let text = render { JSONText.appendDouble(value, to: &$0) }
            XCTAssertEqual(Double(text)?.bitPattern, value.bitPattern, text)
            guard case let .double(parsed) = try JSONValue(parsing: text) else { return XCTFail("\(text) is not read as a double") }
            XCTAssertEqual(parsed.bitPattern, value.bitPattern)
        }
        XCTAssertEqual(render { JSONText.appendDouble(0.1, to: &$0) }, "0.1")
        XCTAssertEqual(render { JSONText.appendDouble(3, to: &$0) }, "3.0")
        XCTAssertEqual(render { JSONText.appendDouble(.nan, to: &$0) }, "null")
        XCTAssertEqual(render { JSONText.appendDouble(-.infinity, to: &$0) }, "null")
        XCTAssertEqual(render { JSONText.appendInteger(Int64.min, to: &$0) }, "-9223372036854775808")
    }

    func testStringsEscapeQuotesBackslashesAndControlCharacters() throws {
        let text = "a\"b\\c\nd\te\r\u{01}\u{1F}é😀/"
        let rendered = render { JSONText.appendString(text, to: &$0) }
        XCTAssertEqual(rendered, #""a\"b\\c\nd\te\r\u0001\u001fé😀/""#)
        XCTAssertEqual(try JSONValue(parsing: rendered), .string(text))
    }

    func testPolygonIsGeoJSONWithEveryRingAsStored() throws {
        let exterior = [Point(lon: 0, lat: 0), Point(lon: 2, lat: 0), Point(lon: 2, lat: 2), Point(lon: 0, lat: 2), Point(lon: 0, lat: 0)]
        let hole = [Point(lon: 0.5, lat: 0.5), Point(lon: 0.5, lat: 1), Point(lon: 1, lat: 1), Point(lon: 0.5, lat: 0.5)]
        let rendered = render { JSONText.appendGeoJSON(Polygon(uncheckedExterior: exterior, holes: [hole]), to: &$0) }
        XCTAssertEqual(rendered, #"{"type":"Polygon","coordinates":[[[0.0,0.0],[2.0,0.0],[2.0,2.0],[0.0,2.0],[0.0,0.0]],"#
            + #"[[0.5,0.5],[0.5,1.0],[1.0,1.0],[0.5,0.5]]]}"#)
        XCTAssertNoThrow(try JSONValue(parsing: rendered))
    }

    func testRectOutlineIsClosedAndCounterClockwise() {
        let rect = Rect(minX: -1.5, minY: 2, maxX: 3, maxY: 4.25)
        XCTAssertEqual(render { JSONText.appendGeoJSONPolygon(outlining: rect, to: &$0) },
                       #"{"type":"Polygon","coordinates":[[[-1.5,2.0],[3.0,2.0],[3.0,4.25],[-1.5,4.25],[-1.5,2.0]]]}"#)
    }
}
