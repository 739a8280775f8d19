import GeoCore

/// The order-16 grid (65,536 × 65,536 cells) over a partition map's bbox, and the single place that
/// decides which cell owns a coordinate.
///
/// Cell boundaries are `GridAxis.edge(_:)`, computed one way for both lookups and slot bounds, so a
/// point on a shared boundary is owned consistently: cells are half-open, `edge(i) ≤ v < edge(i + 1)`,
/// except the last cell on each axis, which also owns the bbox's max edge. A point on a vertical
/// boundary belongs to the cell east of it, on a horizontal boundary to the cell north of it. This
/// deliberately does not reuse `SpaceFillingCurve.cell(of:in:order:)`, whose floor of a quotient can
/// disagree with any computed boundary by one ulp.
struct SlotGrid: Sendable {
    static let order = 16
    static let side: UInt32 = 1 << 16
    /// Order-16 cells on the whole curve: 4^16.
    static let curveLength: UInt64 = 1 << 32

    let bbox: Rect
    let x: GridAxis
    let y: GridAxis

    /// - Precondition: the bbox is finite with `minX < maxX` and `minY < maxY`.
    init(_ bbox: Rect) {
        self.bbox = bbox
        x = GridAxis(low: bbox.minX, high: bbox.maxX)
        y = GridAxis(low: bbox.minY, high: bbox.maxY)
    }

    /// Hilbert key of the cell owning `point` (clamped to the grid, like `GridAxis.cell(of:)`).
    @inline(__always)
    func hilbertKey(of point: Point) -> UInt64 {
        HilbertKey.index(x: x.cell(of: point.x), y: y.cell(of: point.y))
    }

    /// Closed bounds of the square of `sideCells` cells whose min corner is cell (x, y).
    func bounds(x column: UInt32, y row: UInt32, sideCells: UInt32) -> Rect {
        Rect(minX: x.edge(column), minY: y.edge(row), maxX: x.edge(column + sideCells), maxY: y.edge(row + sideCells))
    }

    /// The inclusive cell range a rect touches, clamped to the grid; nil when the rect misses the bbox
    /// (or has a NaN coordinate).
    @inline(__always)
    func cellRange(of rect: Rect) -> CellRange? {
        guard rect.intersects(bbox) else { return nil }
        return CellRange(minX: x.cell(of: rect.minX), minY: y.cell(of: rect.minY),
                         maxX: x.cell(of: rect.maxX), maxY: y.cell(of: rect.maxY))
    }
}

/// One axis of the grid: 2^16 cells from `low` to `high`.
struct GridAxis: Sendable {
    let low: Double
    let high: Double
    private let span: Double
    private let cellsPerUnit: Double

    init(low: Double, high: Double) {
        self.low = low
        self.high = high
        span = high - low
        cellsPerUnit = Double(SlotGrid.side) / (high - low)
    }

    /// Low boundary of cell `i`; `edge(side)` is `high`. Non-decreasing in `i`: i / 2^16 is exact and
    /// every operation after it is monotone.
    @inline(__always)
    func edge(_ i: UInt32) -> Double {
        i >= SlotGrid.side ? high : Swift.min(high, low + span * (Double(i) * 0x1p-16))
    }

    /// The cell owning `v`, clamped to the grid (so it also serves query rects that leave the bbox).
    /// NaN maps to cell 0; callers exclude NaN before asking.
    @inline(__always)
    func cell(of v: Double) -> UInt32 {
        if !(v > low) { return 0 }
        if v >= high { return SlotGrid.side - 1 }
        // The quotient's guess is the answer or next to it; the boundaries decide.
        let guess = UInt32(Swift.min((v - low) * cellsPerUnit, Double(SlotGrid.side - 1)))
        if v < edge(guess) {
            if v >= edge(guess - 1) { return guess - 1 }  // guess > 0 here: edge(0) = low < v
        } else if v < edge(guess + 1) {
            return guess  // also right for the last cell: edge(side) = high > v
        } else if v < edge(guess + 2) {
            return guess + 1
        }
        return cell(bisecting: v)
    }

    /// The largest cell with `edge(i) ≤ v`, by bisection: only reached when rounding put the guess
    /// more than a cell off, which takes a bbox only a few ulps wide per cell.
    private func cell(bisecting v: Double) -> UInt32 {
        var lower: UInt32 = 0, upper: UInt32 = SlotGrid.side  // edge(lower) ≤ v < edge(upper)
        while upper - lower > 1 {
            let middle = lower + (upper - lower) / 2
            if edge(middle) <= v { lower = middle } else { upper = middle }
        }
        return lower
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
}
