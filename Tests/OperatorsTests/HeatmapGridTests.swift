import Foundation
import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

final class HeatmapGridTests: XCTestCase {
    let london = Rect(minX: -0.5, minY: 51.3, maxX: 0.3, maxY: 51.7)
    let greenwich = Point(lon: -0.0015, lat: 51.4779)

    func testGreenwichTileAtLevel12IsTheOneWebMapsName() {
        let grid = HeatmapGrid(cells: .level(12), bbox: london)
        let cell = grid.cell(containing: greenwich)
        XCTAssertEqual(grid.id(of: cell), "12/2047/1362")
        let bounds = grid.bounds(of: cell)
        XCTAssertEqual(bounds.minX, 2047.0 / 4096 * 360 - 180, accuracy: 1e-12)
        XCTAssertEqual(bounds.maxX, 0, accuracy: 1e-12)
        XCTAssertTrue(bounds.contains(greenwich))
        // Tile 1362's edges: atan(sinh(π(1 − 2y/2^z))) for y = 1362 and 1363.
        XCTAssertEqual(bounds.maxY, 51.50874245880333, accuracy: 1e-9)
        XCTAssertEqual(bounds.minY, 51.45400691005982, accuracy: 1e-9)
    }

    func testGreenwichMetreCellFollowsTheFormulaAtTheBboxCentreLatitude() {
        let grid = HeatmapGrid(cells: .metres(500), bbox: london)
        let cell = grid.cell(containing: greenwich)
        let rowHeight = 500 / 111_320.0
        let columnWidth = 500 / (111_320 * cos(51.5 * Double.pi / 180))
        XCTAssertEqual(cell.row, Int(floor((51.4779 + 90) / rowHeight)))
        XCTAssertEqual(cell.column, Int(floor((-0.0015 + 180) / columnWidth)))
        XCTAssertEqual(grid.id(of: cell), "m500:\(cell.column):\(cell.row)")
        let bounds = grid.bounds(of: cell)
        XCTAssertTrue(bounds.contains(greenwich))
        XCTAssertEqual(bounds.height, rowHeight, accuracy: 1e-9)
        // At the centre latitude the cell is as wide as it is high, in metres.
        XCTAssertEqual(bounds.width * 111_320 * cos(51.5 * Double.pi / 180), 500, accuracy: 1e-6)
        XCTAssertEqual(grid.center(of: cell), bounds.center)
    }

    func testFractionalMetreSizeKeepsItsFractionInTheID() {
        let grid = HeatmapGrid(cells: .metres(12.5), bbox: london)
        XCTAssertTrue(grid.id(of: grid.cell(containing: greenwich)).hasPrefix("m12.5:"))
    }

    func testLongitudePlusAndMinus180FallInTheFirstAndLastColumns() {
        let tiles = HeatmapGrid(cells: .level(2), bbox: london)
        XCTAssertEqual(tiles.id(of: tiles.cell(containing: Point(lon: -180, lat: 0))), "2/0/2")
        XCTAssertEqual(tiles.id(of: tiles.cell(containing: Point(lon: 180, lat: 0))), "2/3/2")
        XCTAssertEqual(tiles.bounds(of: tiles.cell(containing: Point(lon: 180, lat: 0))).maxX, 180)

        let metres = HeatmapGrid(cells: .metres(700_000), bbox: Rect(minX: -10, minY: -10, maxX: 10, maxY: 10))
        let west = metres.cell(containing: Point(lon: -180, lat: 0))
        let east = metres.cell(containing: Point(lon: 180, lat: 0))
        XCTAssertEqual(west.column, 0)
        // 360° in columns of 700 km at the equator: 57.25 columns, so 58 with the last one narrow.
        XCTAssertEqual(east.column, 57)
        let eastBounds = metres.bounds(of: east)
        XCTAssertEqual(eastBounds.maxX, 180, "the last column is clipped to the antimeridian")
        XCTAssertLessThan(eastBounds.width, 700_000 / 111_320.0)
        XCTAssertEqual(metres.bounds(of: west).minX, -180)
    }

    func testPolesClampToTheLastRows() {
        let tiles = HeatmapGrid(cells: .level(3), bbox: london)
        XCTAssertEqual(tiles.id(of: tiles.cell(containing: Point(lon: 0, lat: 90))), "3/4/0")
        XCTAssertEqual(tiles.id(of: tiles.cell(containing: Point(lon: 0, lat: 85.06))), "3/4/0")
        XCTAssertEqual(tiles.id(of: tiles.cell(containing: Point(lon: 0, lat: -90))), "3/4/7")
        let top = tiles.bounds(of: tiles.cell(containing: Point(lon: 0, lat: 90)))
        XCTAssertEqual(top.maxY, 85.05112877980659, accuracy: 1e-12)
        XCTAssertEqual(tiles.bounds(of: tiles.cell(containing: Point(lon: 0, lat: -90))).minY, -85.05112877980659, accuracy: 1e-12)

        let metres = HeatmapGrid(cells: .metres(1_000_000), bbox: london)
        let north = metres.cell(containing: Point(lon: 0, lat: 90))
        let south = metres.cell(containing: Point(lon: 0, lat: -90))
        XCTAssertEqual(south.row, 0)
        // 180° in rows of 1000 km: 20.04 rows, so 21 with the last one clipped at the pole.
        XCTAssertEqual(north.row, 20)
        XCTAssertEqual(metres.bounds(of: north).maxY, 90)
        XCTAssertEqual(metres.bounds(of: south).minY, -90)
    }

    func testLevelZeroIsOneTileCoveringTheMercatorSquare() {
        let grid = HeatmapGrid(cells: .level(0), bbox: london)
        let cell = grid.cell(containing: greenwich)
        XCTAssertEqual(grid.id(of: cell), "0/0/0")
        XCTAssertEqual(grid.bounds(of: cell), Rect(minX: -180, minY: -85.05112877980659, maxX: 180, maxY: 85.05112877980659))
    }

    func testPolygonIsAClosedCounterClockwiseOutlineOfTheBounds() {
        for grid in [HeatmapGrid(cells: .level(9), bbox: london), HeatmapGrid(cells: .metres(250), bbox: london)] {
            let cell = grid.cell(containing: greenwich)
            let ring = grid.polygon(of: cell).exterior
            let bounds = grid.bounds(of: cell)
            XCTAssertEqual(ring.count, 5)
            XCTAssertEqual(ring.first, ring.last)
            XCTAssertEqual(ring[0], Point(lon: bounds.minX, lat: bounds.minY))
            XCTAssertEqual(ring[2], Point(lon: bounds.maxX, lat: bounds.maxY))
            let twiceSignedArea = zip(ring, ring.dropFirst()).reduce(0.0) { $0 + ($1.0.x * $1.1.y - $1.1.x * $1.0.y) }
            XCTAssertGreaterThan(twiceSignedArea, 0, "counter-clockwise")
            XCTAssertTrue(grid.polygon(of: cell).contains(greenwich))
        }
    }

    func testIDsParseBackOnlyOnTheirOwnGrid() {
        let metres = HeatmapGrid(cells: .metres(500), bbox: london)
        let tiles = HeatmapGrid(cells: .level(12), bbox: london)
        let cell = metres.cell(containing: greenwich)
        XCTAssertEqual(metres.cell(parsingID: Substring(metres.id(of: cell))), cell)
        XCTAssertEqual(tiles.cell(parsingID: "12/2047/1362"), HeatmapCell(column: 2047, row: 1362))
        XCTAssertNil(tiles.cell(parsingID: "11/2047/1362"), "another level")
        XCTAssertNil(tiles.cell(parsingID: "12/4096/0"), "x out of range")
        XCTAssertNil(tiles.cell(parsingID: "12/1/2/3"))
        XCTAssertNil(metres.cell(parsingID: "m50:1:2"), "another size")
        XCTAssertNil(metres.cell(parsingID: "m500:-1:2"))
        XCTAssertNil(metres.cell(parsingID: "m500:1:"))
    }

    func testSpecValidationNamesTheKey() {
        XCTAssertNoThrow(try HeatmapSpec(cells: .metres(50)).validate())
        XCTAssertNoThrow(try HeatmapSpec(cells: .level(24), minCount: 5).validate())
        let cases: [(HeatmapSpec, String)] = [
            (HeatmapSpec(cells: .metres(0.5)), "cell"),
            (HeatmapSpec(cells: .metres(.nan)), "cell"),
            (HeatmapSpec(cells: .level(25)), "level"),
            (HeatmapSpec(cells: .level(-1)), "level"),
            (HeatmapSpec(cells: .metres(100), minCount: 0), "min-count"),
        ]
        for (spec, key) in cases {
            XCTAssertThrowsError(try spec.validate()) { error in
                XCTAssertEqual((error as? HeatmapSpecError)?.key, key)
                XCTAssertTrue("\(error)".hasPrefix("heatmap \(key): "), "\(error)")
            }
        }
    }
}

final class HeatmapPublishedGeometryTests: XCTestCase {
    /// The published centre and outline are exactly `center(of:)` and `polygon(of:)`, bit for bit,
    /// though the publisher formats each column's and row's numbers only once.
    func testPublishedCentreAndOutlineAreTheGridsExactly() throws {
        var random = SeededGenerator(seed: 3)
        let bbox = Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95)
        for cells in [HeatmapSpec.Cells.metres(137.5), .metres(2_000), .level(5), .level(17)] {
            var heatmap = HeatmapOperator(spec: HeatmapSpec(cells: cells), bbox: bbox, clock: WindowClock(size: 1_000, slide: 1_000))
            let events = (0..<300).map { index in
                let anywhere = index.isMultiple(of: 3)
                return PointEvent(id: "\(index)", t: 10, point: Point(
                    lon: anywhere ? random.nextDouble(in: -180..<180) : random.nextDouble(in: bbox.minX..<bbox.maxX),
                    lat: anywhere ? random.nextDouble(in: -90..<90) : random.nextDouble(in: bbox.minY..<bbox.maxY)))
            }
            var partials: [OperatorOutput] = []
            heatmap.apply(points: events, halo: false, clock: WindowClock(size: 1_000, slide: 1_000), into: &partials)
            heatmap.finish(clock: WindowClock(size: 1_000, slide: 1_000), into: &partials)
            let published = heatmap.combine(partials)
            XCTAssertEqual(published.count, Set(events.map { heatmap.grid.cell(containing: $0.point) }).count)
            for output in published {
                guard case let .object(object) = try JSONValue(parsing: output.json),
                      case let .string(id)? = object["cell"], let cell = heatmap.grid.cell(parsingID: Substring(id)),
                      case let .array(center)? = object["center"],
                      case let .object(geometry)? = object["geometry"], case let .array(rings)? = geometry["coordinates"]
                else { return XCTFail("unexpected \(output.json)") }
                XCTAssertEqual(center.map(Self.number), [heatmap.grid.center(of: cell).lon, heatmap.grid.center(of: cell).lat])
                XCTAssertEqual(geometry["type"], .string("Polygon"))
                let ring = rings.map { ring -> [Point] in
                    guard case let .array(positions) = ring else { return [] }
                    return positions.map { position in
                        guard case let .array(pair) = position else { return Point(x: .nan, y: .nan) }
                        return Point(lon: Self.number(pair[0]), lat: Self.number(pair[1]))
                    }
                }
                XCTAssertEqual(ring, [heatmap.grid.polygon(of: cell).exterior], id)
            }
        }
    }

    static func number(_ value: JSONValue) -> Double {
        switch value {
        case let .double(number): number
        case let .integer(number): Double(number)
        default: .nan
        }
    }
}

final class HeatmapGridEqualityTests: XCTestCase {
    func testGridsEqualThemselvesAndDifferByParameters() {
        let bbox = Rect(minX: -1, minY: -1, maxX: 1, maxY: 1)
        XCTAssertEqual(HeatmapGrid(cells: .level(7), bbox: bbox), HeatmapGrid(cells: .level(7), bbox: bbox))
        XCTAssertEqual(HeatmapGrid(cells: .metres(50), bbox: bbox), HeatmapGrid(cells: .metres(50), bbox: bbox))
        XCTAssertNotEqual(HeatmapGrid(cells: .level(7), bbox: bbox), HeatmapGrid(cells: .level(8), bbox: bbox))
        XCTAssertNotEqual(HeatmapGrid(cells: .metres(50), bbox: bbox),
                          HeatmapGrid(cells: .metres(50), bbox: Rect(minX: -1, minY: 50, maxX: 1, maxY: 52)))
    }
}
