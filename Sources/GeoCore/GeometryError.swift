/// Why a geometry was rejected, with enough location detail for a user to find and fix the input.
///
/// `ring` counts 0 for the exterior and 1... for holes (hole `k` is ring `k + 1`); `position` is the
/// vertex index inside that ring as given (before any de-duplication); `polygon` is filled in only by
/// validators that see several polygons (e.g. `MultiPolygon(validating:)`).
public struct GeometryError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case nonFiniteCoordinate
        case longitudeOutOfRange
        case latitudeOutOfRange
        case ringNotClosed
        case tooFewPositions
        case selfIntersection
        case holeOutsideShell
        /// Two different rings of one polygon cross or share an edge (touching at a point is allowed).
        case ringsCross
        /// A hole lies inside another hole.
        case nestedHoles
    }

    public var code: Code
    public var message: String
    public var ring: Int?
    public var position: Int?
    public var polygon: Int?

    public init(code: Code, message: String, ring: Int? = nil, position: Int? = nil, polygon: Int? = nil) {
        self.code = code
        self.message = message
        self.ring = ring
        self.position = position
        self.polygon = polygon
    }

    public var description: String {
        if let polygon { return "\(code.rawValue): polygon \(polygon): \(message)" }
        return "\(code.rawValue): \(message)"
    }

    /// A human name for a ring index, as used in every message: "ring 0 (exterior)", "ring 2 (hole 1)".
    static func ringName(_ ring: Int) -> String {
        ring == 0 ? "ring 0 (exterior)" : "ring \(ring) (hole \(ring - 1))"
    }
}
