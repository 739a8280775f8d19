import GeoCore

/// The order-16 grid (65,536 × 65,536 cells) over a partition map's bbox, and the single place that
/// decides which cell owns a coordinate.
///
/// Cell boundaries are `edge(i)`, computed one way for both lookups and slot bounds, so a point on a
/// shared boundary is owned consistently: cells are half-open, `edge(i) ≤ v < edge(i + 1)`, except the
/// last cell on each axis, which also owns the bbox's max edge. A point on a vertical boundary belongs
/// to the cell east of it, on a horizontal boundary to the cell north of it. This deliberately does not
/// reuse `SpaceFillingCurve.cell(of:in:order:)`, whose floor of a quotient can disagree with any
/// computed boundary by one ulp.
struct SlotGrid: Sendable {
    static let order = 16
    static let side: UInt32 = 1 << 16
    /// Order-16 cells on the whole curve: 4^16.
    static let curveLength: UInt64 = 1 << 32

    let bbox: Rect
    private let cellsPerUnitX: Double
    private let cellsPerUnitY: Double

    /// - Precondition: the bbox is finite with `minX < maxX` and `minY < maxY`.
    init(_ bbox: Rect) {
        self.bbox = bbox
        cellsPerUnitX = Double(Self.side) / (bbox.maxX - bbox.minX)
        cellsPerUnitY = Double(Self.side) / (bbox.maxY - bbox.minY)
    }

    /// West boundary of column `i`; `edgeX(side)` is the bbox's max x. Non-decreasing in `i`.
    @inline(__always)
    func edgeX(_ i: UInt32) -> Double { Self.edge(i, bbox.minX, bbox.maxX) }

    /// South boundary of row `i`; `edgeY(side)` is the bbox's max y. Non-decreasing in `i`.
    @inline(__always)
    func edgeY(_ i: UInt32) -> Double { Self.edge(i, bbox.minY, bbox.maxY) }

    @inline(__always)
    private static func edge(_ i: UInt32, _ low: Double, _ high: Double) -> Double {
        if i >= side { return high }
        // i / 2^16 is exact, and every operation below is monotone in i.
        return Swift.min(high, low + (high - low) * (Double(i) * 0x1p-16))
    }

    /// The column owning `x`, clamped to the grid (so it also serves query rects that leave the bbox).
    /// NaN maps to column 0; callers exclude NaN before asking.
    @inline(__always)
    func column(of x: Double) -> UInt32 {
        Self.cell(x, bbox.minX, bbox.maxX, cellsPerUnitX, edgeX)
    }

    /// The row owning `y`, clamped like `column(of:)`.
    @inline(__always)
    func row(of y: Double) -> UInt32 {
        Self.cell(y, bbox.minY, bbox.maxY, cellsPerUnitY, edgeY)
    }

    @inline(__always)
    private static func cell(_ v: Double, _ low: Double, _ high: Double, _ scale: Double,
                             _ edge: (UInt32) -> Double) -> UInt32 {
        if !(v > low) { return 0 }
        if v >= high { return side - 1 }
        // The quotient's guess is the answer or next to it; the boundaries decide.
        let guess = UInt32(Swift.min((v - low) * scale, Double(side - 1)))
        if v < edge(guess) {
            if guess > 0 && v >= edge(guess - 1) { return guess - 1 }
        } else if guess == side - 1 || v < edge(guess + 1) {
            return guess
        } else if guess + 1 == side - 1 || v < edge(guess + 2) {
            return guess + 1
        }
        return lastCell(startingAtMost: v, edge)
    }

    /// The largest column with `edge(i) ≤ v`, by bisection: only reached when rounding put the guess
    /// more than a cell off, which takes a bbox only a few ulps wide per cell.
    private static func lastCell(startingAtMost v: Double, _ edge: (UInt32) -> Double) -> UInt32 {
        var low: UInt32 = 0, high: UInt32 = side  // edge(low) ≤ v < edge(high)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if edge(middle) <= v { low = middle } else { high = middle }
        }
        return low
    }

    /// Hilbert key of the cell owning `point` (clamped, like `column(of:)`).
    @inline(__always)
    func hilbertKey(of point: Point) -> UInt64 {
        SpaceFillingCurve.hilbertIndex(x: column(of: point.x), y: row(of: point.y), order: Self.order)
    }

    /// Closed bounds of the square of `sideCells` cells whose min corner is cell (x, y).
    func bounds(x: UInt32, y: UInt32, sideCells: UInt32) -> Rect {
        Rect(minX: edgeX(x), minY: edgeY(y), maxX: edgeX(x + sideCells), maxY: edgeY(y + sideCells))
    }

    /// The inclusive cell range a rect touches, clamped to the grid; nil when the rect misses the bbox
    /// (or has a NaN coordinate).
    func cellRange(of rect: Rect) -> CellRange? {
        guard rect.intersects(bbox) else { return nil }
        return CellRange(minX: column(of: rect.minX), minY: row(of: rect.minY),
                         maxX: column(of: rect.maxX), maxY: row(of: rect.maxY))
    }
}

/// An inclusive range of order-16 cells.
struct CellRange: Sendable {
    var minX: UInt32
    var minY: UInt32
    var maxX: UInt32
    var maxY: UInt32

    /// Whether the square of `side` cells at (x, y) shares a cell with this range.
    @inline(__always)
    func intersects(x: UInt32, y: UInt32, side: UInt32) -> Bool {
        x <= maxX && minX < x + side && y <= maxY && minY < y + side
    }

    @inline(__always)
    func isInside(x: UInt32, y: UInt32, side: UInt32) -> Bool {
        x <= minX && maxX < x + side && y <= minY && maxY < y + side
    }
}
