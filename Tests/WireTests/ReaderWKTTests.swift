import GeoCore
import Wire
import XCTest

final class ReaderWKTTests: XCTestCase {
    private let square: [Point] = [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 0)]

    func testSpellingsOfTheSamePolygon() throws {
        let spellings = [
            "POLYGON((0 0,1 0,1 1,0 0))",
            "polygon ( ( 0 0 , 1 0 , 1 1 , 0 0 ) )",
            "  Polygon\n(\t(0 0, 1.0 0e0, 1 1, -0 0)) ",
            "POLYGON Z ((0 0 5, 1 0 5, 1 1 5, 0 0 5))",
            "POLYGON ZM ((0 0 5 1, 1 0 5 1, 1 1 5 1, 0 0 5 1))",
        ]
        for text in spellings {
            XCTAssertEqual(try WKTReader.read(text), .polygon([square]), text)
        }
    }

    func testMultiPolygonEmptyAndHoles() throws {
        XCTAssertEqual(try WKTReader.read("POLYGON EMPTY"), .empty)
        XCTAssertEqual(try WKTReader.read("multipolygon empty"), .empty)
        XCTAssertEqual(try WKTReader.read("MULTIPOLYGON (EMPTY, ((0 0, 1 0, 1 1, 0 0)))"), .multiPolygon([[square]]))
        let withHole = try WKTReader.read("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 2 2))")
        guard case .polygon(let rings) = withHole else { return XCTFail() }
        XCTAssertEqual(rings.count, 2)
        guard case .polygon(let polygon)? = try withHole.geometry() else { return XCTFail() }
        XCTAssertTrue(polygon.contains(Point(x: 1, y: 1)))
        XCTAssertFalse(polygon.contains(Point(x: 3, y: 3.5)))
    }

    func testErrorsNameThePosition() {
        let cases: [(String, Int, String)] = [
            ("POINT (1 2)", 0, "geometry type POINT is not supported"),
            ("", 0, "expected POLYGON or MULTIPOLYGON"),
            ("POLYGON (0 0, 1 0)", 9, "expected '('"),
            ("POLYGON ((0 0, 1 x, 1 1, 0 0))", 17, "expected a coordinate"),
            ("POLYGON ((0 0, 1 NaN, 1 1, 0 0))", 17, "not a finite number"),
            ("POLYGON ((0 0, 1 0, 1 1, 0 0)", 29, "ends before a closing ')'"),
            ("POLYGON ((0 0, 1 0, 1 1, 0 0))x", 30, "after the geometry"),
            ("POLYGON ((0 0 0 0 0, 1 0, 1 1, 0 0))", 14, "expected ',' or ')'"),
        ]
        for (text, position, message) in cases {
            XCTAssertThrowsError(try WKTReader.read(text), text) { error in
                guard let error = error as? WKTError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.position, position, "\(text): \(error)")
                XCTAssertTrue(error.message.contains(message), "\(text): \(error)")
            }
        }
    }

    func testValidationErrorsComeFromGeoCore() {
        XCTAssertThrowsError(try WKTReader.read("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))").geometry()) { error in
            XCTAssertEqual((error as? GeometryError)?.code, .selfIntersection)
        }
        XCTAssertThrowsError(try WKTReader.read("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((0 0, 1 0, 1 1)))").geometry()) { error in
            XCTAssertEqual((error as? GeometryError)?.polygon, 1)
        }
    }
}
