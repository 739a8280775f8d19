import Foundation

/// Local equirectangular projection around an origin: x = R·Δλ·cos φ0, y = R·Δφ (metres).
///
/// Fast planar metres for one partition or one query neighbourhood. Δλ is wrapped to [-180, 180] so
/// neighbourhoods straddling the antimeridian stay continuous. Not meant for an origin at a pole
/// (cos φ0 = 0: x collapses); there `unproject` returns the origin's longitude.
public struct LocalProjection: Sendable {
    public let origin: Point
    private let cosOrigin: Double

    public init(origin: Point) {
        self.origin = origin
        self.cosOrigin = cos(origin.y * Double.pi / 180)
    }

    public func project(_ p: Point) -> Point {
        let dLon = (p.x - origin.x).remainder(dividingBy: 360) * Double.pi / 180
        let dLat = (p.y - origin.y) * Double.pi / 180
        return Point(x: Geodesy.earthRadius * dLon * cosOrigin, y: Geodesy.earthRadius * dLat)
    }

    /// Inverse of `project`; longitude is normalised into [-180, 180].
    public func unproject(_ p: Point) -> Point {
        let lat = origin.y + p.y / Geodesy.earthRadius * 180 / Double.pi
        guard cosOrigin > 0 else { return Point(x: origin.x, y: lat) }
        var lon = origin.x + p.x / (Geodesy.earthRadius * cosOrigin) * 180 / Double.pi
        if lon > 180 || lon < -180 { lon = lon.remainder(dividingBy: 360) }
        return Point(x: lon, y: lat)
    }

    /// Upper bound on |projected distance − haversine| / haversine for two points within `extent`
    /// metres (great-circle) of an origin at `latitude` degrees.
    ///
    /// Derivation: with ε = extent / R, both points and the great-circle arc between them lie in the
    /// cap of radius ε (convex for ε < π/2), hence in the band |φ| ≤ |φ0| + ε; the straight projected
    /// segment maps back to a curve in the same band (φ is linear along it). In the band the projected
    /// line element over the true one, sqrt((dφ² + cos²φ0·dλ²) / (dφ² + cos²φ·dλ²)), lies between
    /// min(1, cos φ0 / cos φ) and max(1, cos φ0 / cos φ). Comparing the two curves' lengths gives
    /// m·d ≤ d_proj ≤ M·d, so the bound is
    ///
    ///     max( cos φ0 / cos(|φ0| + ε) − 1,  1 − cos φ0 / cos(max(0, |φ0| − ε)) )
    ///
    /// which is about tan|φ0|·ε for small ε (0.8% at 45° and 50 km). `.infinity` when the cap reaches a
    /// pole (|φ0| + ε ≥ 90°), where the projection has no bounded error.
    public static func relativeErrorBound(latitude: Double, extent: Double) -> Double {
        let epsilon = Swift.max(0, extent) / Geodesy.earthRadius
        let phi = abs(latitude) * Double.pi / 180
        guard phi + epsilon < Double.pi / 2 else { return .infinity }
        let cosOrigin = cos(phi)
        let stretch = cosOrigin / cos(phi + epsilon) - 1
        let shrink = 1 - cosOrigin / cos(Swift.max(0, phi - epsilon))
        return Swift.max(stretch, shrink)
    }
}
