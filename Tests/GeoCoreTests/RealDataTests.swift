import XCTest
import Foundation
import GeoCore

/// Validation and point-in-polygon on the project's real data sets (`<root>/shared/data`).
final class RealDataTests: XCTestCase {
    private struct Feature {
        var id: String
        var parts: [(exterior: [Point], holes: [[Point]])]
    }

    /// `<repo>/../shared/data/<name>`, resolved from this file so it works from any working directory.
    private func dataFile(_ name: String) throws -> URL {
        let repoRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("real data not present at \(url.path)")
        }
        return url
    }

    private func loadFeatures(_ name: String) throws -> [Feature] {
        let data = try Data(contentsOf: try dataFile(name))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let features = try XCTUnwrap(root["features"] as? [[String: Any]])
        func ring(_ value: Any) throws -> [Point] {
            try XCTUnwrap(value as? [[Double]]).map { Point(lon: $0[0], lat: $0[1]) }
        }
        func polygon(_ value: Any) throws -> (exterior: [Point], holes: [[Point]]) {
            let rings = try XCTUnwrap(value as? [Any]).map(ring)
            return (rings[0], Array(rings.dropFirst()))
        }
        return try features.map { feature in
            let geometry = try XCTUnwrap(feature["geometry"] as? [String: Any])
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let id = (properties["id"] as? String) ?? (feature["id"] as? String) ?? "?"
            switch geometry["type"] as? String {
            case "Polygon": return Feature(id: id, parts: [try polygon(geometry["coordinates"]!)])
            case "MultiPolygon":
                return Feature(id: id, parts: try XCTUnwrap(geometry["coordinates"] as? [Any]).map(polygon))
            default:
                XCTFail("unexpected geometry in \(id)")
                return Feature(id: id, parts: [])
            }
        }
    }

    func testEveryMontrealDistrictValidatesAndCarshareLandsInExactlyOneDistrict() throws {
        let features = try loadFeatures("montreal_districts.geojson")
        XCTAssertEqual(features.count, 58)
        var districts: [(id: String, shape: MultiPolygon)] = []
        for feature in features {
            do {
                districts.append((feature.id, try MultiPolygon(validating: feature.parts)))
            } catch {
                XCTFail("district \(feature.id): \(error)")
            }
        }
        XCTAssertEqual(districts.count, 58)
        XCTAssertEqual(districts.reduce(0) { $0 + $1.shape.polygons.count }, 69)
        XCTAssertEqual(districts.reduce(0) { $0 + $1.shape.vertexCount }, 2_508)

        // The data README: 248 of the 249 car-share points lie in exactly one district; 004 in none.
        let csv = try String(contentsOf: try dataFile("montreal_carshare.csv"), encoding: .utf8)
        var inOne = 0, inNone: [String] = [], touchedDistricts = Set<String>()
        for line in csv.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            let point = Point(lon: Double(fields[2])!, lat: Double(fields[3])!)
            let hits = districts.filter { $0.shape.contains(point) }
            XCTAssertLessThanOrEqual(hits.count, 1, "point \(fields[0]) in \(hits.map(\.id))")
            if hits.count == 1 { inOne += 1; touchedDistricts.insert(hits[0].id) }
            if hits.isEmpty { inNone.append(String(fields[0])) }
        }
        XCTAssertEqual(inOne, 248)
        XCTAssertEqual(inNone, ["004"])
        XCTAssertEqual(touchedDistricts.count, 27)
    }

    /// Observed: all 177 Natural Earth countries validate (the data README says all are valid per
    /// shapely; Russia's 180.00000000000006 passes thanks to the float-noise tolerance).
    func testCountriesValidate() throws {
        let features = try loadFeatures("countries.geojson")
        XCTAssertEqual(features.count, 177)
        var valid: [String: MultiPolygon] = [:]
        var failures: [String: GeometryError.Code] = [:]
        for feature in features {
            do {
                valid[feature.id] = try MultiPolygon(validating: feature.parts)
            } catch {
                failures[feature.id] = error.code
            }
        }
        XCTAssertEqual(valid.count, 177, "failures: \(failures)")
        XCTAssertEqual(failures, [:])
        XCTAssertEqual(valid.values.reduce(0) { $0 + $1.polygons.count }, 288)
        XCTAssertEqual(valid.values.reduce(0) { $0 + $1.vertexCount }, 10_654)

        // Spot checks: Lesotho is the hole in South Africa; known cities fall in their countries.
        let southAfrica = try XCTUnwrap(valid["South Africa"]), lesotho = try XCTUnwrap(valid["Lesotho"])
        let maseru = Point(lon: 27.9, lat: -29.6)
        XCTAssertTrue(lesotho.contains(maseru))
        XCTAssertFalse(southAfrica.contains(maseru))
        XCTAssertTrue(southAfrica.contains(Point(lon: 28.04, lat: -26.2)), "Johannesburg")
        XCTAssertTrue(try XCTUnwrap(valid["Canada"]).contains(Point(lon: -73.57, lat: 45.5)), "Montreal")
        XCTAssertTrue(try XCTUnwrap(valid["France"]).contains(Point(lon: 2.35, lat: 48.86)), "Paris")
        let cityHits = valid.filter { $0.value.contains(Point(lon: 2.35, lat: 48.86)) }.map(\.key)
        XCTAssertEqual(cityHits, ["France"])
        XCTAssertFalse(southAfrica.contains(lesotho.polygons[0]), "Lesotho fills South Africa's hole")
        XCTAssertTrue(southAfrica.intersects(lesotho.polygons[0]), "they share a border")
    }
}
