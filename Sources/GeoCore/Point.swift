/// A position in two dimensions: longitude/latitude in degrees (WGS84) for geographic data,
/// or plain planar coordinates for indexes and tests that are not geographic.
///
/// `x` is longitude and `y` latitude; the aliases `lon`/`lat` read better at call sites that
/// deal in geography. No validation happens here: see `GeometryValidation` for checked input.
public struct Point: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    @inlinable
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    @inlinable
    public init(lon: Double, lat: Double) {
        self.x = lon
        self.y = lat
    }

    @inlinable public var lon: Double { x }
    @inlinable public var lat: Double { y }

    public var description: String { "(\(x), \(y))" }
}
