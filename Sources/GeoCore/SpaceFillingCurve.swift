/// Hilbert and Z-order (Morton) curves over a 2^order × 2^order grid, for partitioning and bulk loading.
///
/// Cell (0, 0) is at `bounds`' min corner; x grows with longitude. Z-order puts x bits at even bit
/// positions (bit 2i) and y bits at odd ones (bit 2i + 1). The Hilbert curve starts at cell (0, 0),
/// ends at (2^order − 1, 0), and consecutive indices are always edge-adjacent cells.
/// `order` must be in 1...31 (a precondition: indices then fit in 62 bits).
public enum SpaceFillingCurve {
    /// Hilbert index of `point` in the grid over `bounds`; points outside are clamped to the edge
    /// cells; a non-finite coordinate (or a degenerate bounds axis) maps to cell 0 on that axis.
    public static func hilbertIndex(of point: Point, in bounds: Rect, order: Int) -> UInt64 {
        let (x, y) = cell(of: point, in: bounds, order: order)
        return hilbertIndex(x: x, y: y, order: order)
    }

    /// Morton index of `point`, with the same cell mapping as `hilbertIndex(of:in:order:)`.
    public static func zOrderIndex(of point: Point, in bounds: Rect, order: Int) -> UInt64 {
        let (x, y) = cell(of: point, in: bounds, order: order)
        return zOrderIndex(x: x, y: y)
    }

    /// Morton index of a cell: x bits at even positions, y bits at odd ones.
    public static func zOrderIndex(x: UInt32, y: UInt32) -> UInt64 {
        spreadBits(x) | (spreadBits(y) << 1)
    }

    /// Hilbert index of cell (x, y); both must be < 2^order.
    public static func hilbertIndex(x: UInt32, y: UInt32, order: Int) -> UInt64 {
        precondition((1...31).contains(order), "Hilbert order must be in 1...31, got \(order)")
        precondition(UInt64(x) >> order == 0 && UInt64(y) >> order == 0,
                     "cell (\(x), \(y)) is outside the 2^\(order) grid")
        var x = UInt64(x), y = UInt64(y), index: UInt64 = 0
        var s: UInt64 = 1 << UInt64(order - 1)
        while s > 0 {
            let rx: UInt64 = (x & s) != 0 ? 1 : 0
            let ry: UInt64 = (y & s) != 0 ? 1 : 0
            index += s * s * ((3 * rx) ^ ry)
            x &= s - 1
            y &= s - 1
            if ry == 0 {
                if rx == 1 {
                    x = s - 1 - x
                    y = s - 1 - y
                }
                swap(&x, &y)
            }
            s >>= 1
        }
        return index
    }

    /// The cell whose Hilbert index is `index` (the inverse of `hilbertIndex(x:y:order:)`).
    public static func hilbertCell(of index: UInt64, order: Int) -> (x: UInt32, y: UInt32) {
        precondition((1...31).contains(order), "Hilbert order must be in 1...31, got \(order)")
        precondition(index >> UInt64(2 * order) == 0, "index \(index) is outside the order-\(order) curve")
        var t = index, x: UInt64 = 0, y: UInt64 = 0, s: UInt64 = 1
        let side: UInt64 = 1 << UInt64(order)
        while s < side {
            let rx = 1 & (t >> 1)
            let ry = 1 & (t ^ rx)
            if ry == 0 {
                if rx == 1 {
                    x = s - 1 - x
                    y = s - 1 - y
                }
                swap(&x, &y)
            }
            x += s * rx
            y += s * ry
            t >>= 2
            s <<= 1
        }
        return (UInt32(x), UInt32(y))
    }

    /// The grid cell holding `point`, clamped to the grid.
    public static func cell(of point: Point, in bounds: Rect, order: Int) -> (x: UInt32, y: UInt32) {
        precondition((1...31).contains(order), "curve order must be in 1...31, got \(order)")
        let cells = Double(UInt64(1) << UInt64(order))
        func axis(_ v: Double, _ low: Double, _ high: Double) -> UInt32 {
            guard v.isFinite, low.isFinite, high.isFinite, high > low else { return 0 }
            let t = (v - low) / (high - low) * cells
            if !(t > 0) { return 0 }
            if t >= cells { return UInt32(cells - 1) }
            return UInt32(t)
        }
        return (axis(point.x, bounds.minX, bounds.maxX), axis(point.y, bounds.minY, bounds.maxY))
    }

    private static func spreadBits(_ v: UInt32) -> UInt64 {
        var x = UInt64(v)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333_3333_3333
        x = (x | (x << 1)) & 0x5555_5555_5555_5555
        return x
    }
}
