/// The side of the directed line `a → b` on which a third point lies.
///
/// Computed with Shewchuk's error-bound filter and, when the filter cannot decide, an exact
/// expansion sum of the six products (each split exactly with fused multiply-add). Guarantee: the
/// sign is exact for all finite inputs whose pairwise products neither overflow nor underflow
/// (|coordinates| roughly within 1e-150...1e150, or exactly zero). Lon/lat and metre data are far inside.
public enum Orientation: Int8, Sendable {
    case clockwise = -1
    case collinear = 0
    case counterClockwise = 1

    public static func of(_ a: Point, _ b: Point, _ c: Point) -> Orientation {
        Orientation(rawValue: Int8(orientationSign(a, b, c)))!
    }
}

/// Shewchuk's ccwerrboundA: (3 + 16ε)ε with ε = 2^-53.
@usableFromInline
let orientationErrorBound: Double = (3.0 + 16.0 * 0x1p-53) * 0x1p-53

/// +1 when `c` lies left of `a → b` (counter-clockwise), -1 right, 0 collinear; exact (see `Orientation`).
@inlinable @inline(__always)
func orientationSign(_ a: Point, _ b: Point, _ c: Point) -> Int {
    let detLeft = (a.x - c.x) * (b.y - c.y)
    let detRight = (a.y - c.y) * (b.x - c.x)
    let det = detLeft - detRight
    let bound = orientationErrorBound * (abs(detLeft) + abs(detRight))
    if det > bound { return 1 }
    if -det > bound { return -1 }
    if bound == 0 && det == 0 { return 0 }  // both products exactly zero
    return exactOrientationSign(a, b, c)
}

@usableFromInline
func exactOrientationSign(_ a: Point, _ b: Point, _ c: Point) -> Int {
    // det = ax·by − ax·cy − cx·by − ay·bx + ay·cx + bx·cy, summed exactly as a floating-point expansion.
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 12) { h in
        var count = 0
        func grow(_ value: Double) {
            var q = value
            for i in 0..<count {
                let sum = q + h[i]
                let bVirtual = sum - q
                let aVirtual = sum - bVirtual
                h[i] = (q - aVirtual) + (h[i] - bVirtual)
                q = sum
            }
            h[count] = q
            count += 1
        }
        func addProduct(_ x: Double, _ y: Double) {
            let p = x * y
            let e = (-p).addingProduct(x, y)
            grow(p)
            grow(e)
        }
        addProduct(a.x, b.y)
        addProduct(-a.x, c.y)
        addProduct(-c.x, b.y)
        addProduct(-a.y, b.x)
        addProduct(a.y, c.x)
        addProduct(b.x, c.y)
        // Components are non-overlapping and increase in magnitude: the last non-zero one has the sign.
        var i = count - 1
        while i >= 0 {
            if h[i] > 0 { return 1 }
            if h[i] < 0 { return -1 }
            i -= 1
        }
        return 0
    }
}

/// True when `r` lies in the closed bounding box of `p`, `q`: for a point already known to be
/// collinear with them, that means it lies on the segment.
@inlinable @inline(__always)
func isInBox(_ p: Point, _ q: Point, _ r: Point) -> Bool {
    Swift.min(p.x, q.x) <= r.x && r.x <= Swift.max(p.x, q.x)
        && Swift.min(p.y, q.y) <= r.y && r.y <= Swift.max(p.y, q.y)
}
