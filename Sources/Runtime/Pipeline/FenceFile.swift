import Foundation
import GeoCore
import Operators
import Wire

/// Reads static geofences from a GeoJSON file (`fences: zones.geojson`): a FeatureCollection, a
/// single Feature, or one Feature per line. Polygon and MultiPolygon features become polygon fences,
/// Point features with `properties.radius` (metres, a number or text like `250m`) become circles.
///
/// The fence id is the Feature's `id`, else `properties.id`; with `idProperty` it is that property
/// instead (for files like Natural Earth whose features carry a name but no id). Fence properties are
/// kept. The first bad feature fails the whole file, naming the feature: a fence silently missing
/// is worse than a pipeline that refuses to start.
enum FenceFile {
    struct Problem: Error {
        var message: String
    }

    /// Larger than any sane fence file and small enough to read in one go.
    static let maximumBytes = 1 << 30

    static func read(path: String, idProperty: String?) throws(Problem) -> [FenceDefinition] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw Problem(message: "fence file \(path) \(reason)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw Problem(message: "fence file \(path): \(error.localizedDescription)")
        }
        guard data.count <= maximumBytes else { throw Problem(message: "fence file \(path) is larger than 1 GiB") }
        let features = try self.features(data, path: path)
        var fences: [FenceDefinition] = []
        fences.reserveCapacity(features.count)
        var seen: [String: Int] = [:]
        for (index, feature) in features.enumerated() {
            let fence: FenceDefinition
            do {
                fence = try self.fence(feature, idProperty: idProperty)
            } catch {
                throw Problem(message: "fence file \(path): feature \(index)\(label(feature)): \(error.message)")
            }
            if let earlier = seen[fence.id] {
                throw Problem(message: "fence file \(path): feature \(index): fence id '\(fence.id)' is already used by feature \(earlier)")
            }
            seen[fence.id] = index
            fences.append(fence)
        }
        guard !fences.isEmpty else { throw Problem(message: "fence file \(path) holds no features") }
        return fences
    }

    private static func features(_ data: Data, path: String) throws(Problem) -> [JSONValue] {
        let limits = JSONLimits(maxDepth: 64, maxStringBytes: 1 << 20)
        let whole: Result<JSONValue, JSONSyntaxError> = data.withUnsafeBytes { bytes in
            do throws(JSONSyntaxError) { return .success(try JSONValue(parsing: bytes, limits: limits)) } catch { return .failure(error) }
        }
        switch whole {
        case let .success(.object(object)):
            if case .string("FeatureCollection")? = object["type"] {
                guard case let .array(features)? = object["features"] else {
                    throw Problem(message: "fence file \(path): a FeatureCollection needs a \"features\" list")
                }
                return features
            }
            return [.object(object)]
        case .success:
            throw Problem(message: "fence file \(path): expected a GeoJSON FeatureCollection or Feature")
        case let .failure(error):
            // Not one JSON text: try one Feature per line (GeoJSON text sequences too).
            var features: [JSONValue] = []
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                let trimmed = line.drop { $0 == 0x1E || $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                guard !trimmed.isEmpty else { continue }
                let parsed: Result<JSONValue, JSONSyntaxError> = Data(trimmed).withUnsafeBytes { bytes in
                    do throws(JSONSyntaxError) { return .success(try JSONValue(parsing: bytes, limits: limits)) } catch { return .failure(error) }
                }
                guard case let .success(value) = parsed else {
                    throw Problem(message: "fence file \(path): not GeoJSON (\(error)), nor one Feature per line (line \(number + 1) does not parse)")
                }
                features.append(value)
            }
            return features
        }
    }

    private static func label(_ feature: JSONValue) -> String {
        guard case let .object(object) = feature else { return "" }
        switch object["id"] {
        case let .string(text)?: return " (id '\(text)')"
        case let .integer(number)?: return " (id \(number))"
        default: return ""
        }
    }

    private static func fence(_ feature: JSONValue, idProperty: String?) throws(FenceGeometry.Problem) -> FenceDefinition {
        guard case let .object(object) = feature, case .string("Feature")? = object["type"] else {
            throw FenceGeometry.Problem(message: "expected a GeoJSON Feature")
        }
        var props = JSONObject()
        if case let .object(properties)? = object["properties"] { props = properties }
        let idValue: JSONValue?
        if let idProperty {
            idValue = props[idProperty]
            guard idValue != nil, idValue != .null else {
                throw FenceGeometry.Problem(message: "has no properties.\(idProperty) to take the fence id from")
            }
        } else {
            idValue = object["id"].flatMap { $0 == .null ? nil : $0 } ?? props["id"]
        }
        let id: String
        switch idValue {
        case let .string(text)? where !text.isEmpty: id = text
        case let .integer(number)?: id = String(number)
        case nil, .null?: throw FenceGeometry.Problem(message: "has no id (Feature \"id\", properties.id, or name a property with fences: {file: …, id: NAME})")
        default: throw FenceGeometry.Problem(message: "fence id must be a non-empty string or a whole number")
        }
        guard let geometry = object["geometry"], geometry != .null else {
            throw FenceGeometry.Problem(message: "has no geometry")
        }
        var radius: Double?
        switch props["radius"] {
        case let .string(text)?:
            do { radius = try Quantity.metres(parsing: text) } catch { throw FenceGeometry.Problem(message: "properties.radius: \(error.message)") }
        case let value?: radius = FenceGeometry.number(value)
        case nil: radius = nil
        }
        return FenceDefinition(id: id, shape: try FenceGeometry.shape(geometry: geometry, radius: radius), props: props)
    }
}
