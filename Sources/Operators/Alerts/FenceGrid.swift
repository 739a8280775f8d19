import GeoCore

/// A uniform grid over fence bounds that answers "which fences' bounds hold this point" with one
/// cell lookup, in front of the R-tree for point location only.
///
/// Why a grid as well as the R-tree: a point query descends several R-tree levels through a
/// closure per entry, which profiled as the biggest single cost of the range-alert operator; a
/// cell lookup reads one contiguous run of (bounds, slot) entries. Segment and area queries stay
/// on the R-tree, which holds every fence.
///
/// Cells are squares whose side is the fences' median bounds size (grown until the grid has at
/// most `cellsPerFence` cells per fence and `maxCells` in all), so a typical fence meets about
/// four cells. A fence goes into every cell its closed bounds meet; a fence that would meet more
/// than `maxCellsPerFence` cells is refused and the owner keeps it elsewhere (the overflow path).
/// Cells are found by one monotone function of the coordinate for both fences and points, so a
/// point on a cell border, or on a fence's bounds, always lands in a cell that lists the fence:
/// no tolerance is needed. The extent is the union of the gridded bounds, so a point outside it
/// holds no gridded fence.
///
/// Storage is compressed rows (CSR): `cellStarts[c]..<cellStarts[c + 1]` are cell `c`'s entries.
/// The grid is built once; removing a fence blanks its entries (their bounds become `Rect.empty`,
/// which holds no point), and the owner rebuilds the grid when such changes pile up.
///
/// - Warning: a value type with no internal locking; one instance per worker thread.
struct FenceGrid: Sendable {
    typealias Slot = FenceIndex.Slot

    struct Entry: Sendable {
        var bounds: Rect
        var slot: Slot
    }

    /// Cells allowed per fence in the grid (the grid is sized for the fences it holds).
    static let cellsPerFence = 4
    /// Absolute cap on the cell count (4M cells: 16 MB of cell starts).
    static let maxCells = 4_000_000
    /// A fence meeting more cells than this is left to the overflow path.
    static let maxCellsPerFence = 64

    /// Union of the gridded fences' bounds (`Rect.empty` when none).
    let extent: Rect
    let columns: Int
    let rows: Int
    let cellSide: Double
    private let inverseCellSide: Double
    private let cellStarts: [Int32]
    private var entries: [Entry]
    /// Per slot: whether the grid holds that slot's fence (with the bounds it was built with).
    private var gridded: [Bool]
    /// Fences the grid holds.
    private(set) var griddedCount: Int
    /// Fences removed from the grid since it was built (their entries are blanked).
    private(set) var removedCount = 0

    /// Grids the fences of `bounds` (indexed by slot; nil for an empty slot). Bounds must be finite
    /// and non-empty. Fences too large for the grid are left out: see `holds(_:)`.
    init(bounds: [Rect?]) {
        gridded = [Bool](repeating: false, count: bounds.count)
        let live = bounds.compactMap { $0 }
        guard let (side, region) = Self.chooseCellSide(for: live) else {
            extent = .empty
            columns = 1
            rows = 1
            cellSide = 1
            inverseCellSide = 1
            cellStarts = [0, 0]
            entries = []
            griddedCount = 0
            return
        }
        let inverse = 1 / side
        // A fence is refused when it lies outside the region the cell budget was spent on, or could
        // meet more than `maxCellsPerFence` cells wherever the grid's origin falls
        // (floor(w / side) + 2 columns at most, likewise rows).
        var accepted = [Bool](repeating: false, count: bounds.count)
        var extent = Rect.empty
        for (slot, rect) in bounds.enumerated() {
            guard let rect else { continue }
            let spanX = (rect.width * inverse).rounded(.down) + 2, spanY = (rect.height * inverse).rounded(.down) + 2
            if region.contains(rect), spanX * spanY <= Double(Self.maxCellsPerFence) {
                accepted[slot] = true
                extent = extent.union(rect)
            }
        }
        self.extent = extent
        cellSide = side
        inverseCellSide = inverse
        columns = extent.isEmpty ? 1 : Self.cellCount(extent.width, inverse)
        rows = extent.isEmpty ? 1 : Self.cellCount(extent.height, inverse)

        // Two passes: count the entries per cell, then place them.
        var starts = [Int32](repeating: 0, count: columns * rows + 1)
        var placed = 0
        for (slot, rect) in bounds.enumerated() where accepted[slot] {
            let cells = Self.cellRange(of: rect.unsafelyUnwrapped, extent: extent, inverse: inverse, columns: columns, rows: rows)
            for row in cells.rows {
                for column in cells.columns { starts[row * columns + column + 1] += 1 }
            }
            placed += cells.rows.count * cells.columns.count
        }
        for cell in 0..<(columns * rows) { starts[cell + 1] += starts[cell] }
        var fill = Array(starts.dropLast())
        var entries = [Entry](repeating: Entry(bounds: .empty, slot: -1), count: placed)
        for (slot, rect) in bounds.enumerated() where accepted[slot] {
            let rect = rect.unsafelyUnwrapped
            let cells = Self.cellRange(of: rect, extent: extent, inverse: inverse, columns: columns, rows: rows)
            for row in cells.rows {
                for column in cells.columns {
                    let cell = row * columns + column
                    entries[Int(fill[cell])] = Entry(bounds: rect, slot: Slot(slot))
                    fill[cell] += 1
                }
            }
        }
        cellStarts = starts
        self.entries = entries
        gridded = accepted
        griddedCount = accepted.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    /// Whether the grid holds the fence in `slot` (else the owner must look it up elsewhere).
    func holds(_ slot: Slot) -> Bool {
        Int(slot) < gridded.count && gridded[Int(slot)]
    }

    /// Entries stored, blanked ones included (memory: 40 bytes each).
    var entryCount: Int { entries.count }

    /// Takes the fence in `slot` out of the grid; `bounds` must be those it was gridded with.
    /// Returns false (changing nothing) when the grid does not hold it.
    @discardableResult
    mutating func remove(_ slot: Slot, bounds: Rect) -> Bool {
        guard holds(slot) else { return false }
        let cells = Self.cellRange(of: bounds, extent: extent, inverse: inverseCellSide, columns: columns, rows: rows)
        for row in cells.rows {
            for column in cells.columns {
                let cell = row * columns + column
                for k in Int(cellStarts[cell])..<Int(cellStarts[cell + 1]) where entries[k].slot == slot {
                    entries[k] = Entry(bounds: .empty, slot: -1)
                }
            }
        }
        gridded[Int(slot)] = false
        griddedCount -= 1
        removedCount += 1
        return true
    }

    /// Calls `body` with the slot of every gridded fence whose bounds hold `point` (edges
    /// included), each once, in no particular order.
    @inline(__always)
    func forEachSlot(withBoundsContaining point: Point, _ body: (Slot) -> Void) {
        guard extent.contains(point) else { return }
        let column = Self.cell((point.x - extent.minX) * inverseCellSide, count: columns)
        let row = Self.cell((point.y - extent.minY) * inverseCellSide, count: rows)
        let cell = row &* columns &+ column
        cellStarts.withUnsafeBufferPointer { starts in
            let range = Int(starts[cell])..<Int(starts[cell &+ 1])
            entries.withUnsafeBufferPointer { entries in
                for k in range {
                    let entry = entries[k]
                    if entry.bounds.contains(point) { body(entry.slot) }
                }
            }
        }
    }

    // MARK: - Geometry of the cells

    /// The cell holding offset `scaled` (a distance from the extent's min in cell sides): the same
    /// monotone function for fences and points, so containment in bounds implies a shared cell.
    @inline(__always)
    private static func cell(_ scaled: Double, count: Int) -> Int {
        if !(scaled > 0) { return 0 }
        if scaled >= Double(count - 1) { return count - 1 }
        return Int(scaled)
    }

    private static func cellRange(of rect: Rect, extent: Rect, inverse: Double,
                                  columns: Int, rows: Int) -> (columns: ClosedRange<Int>, rows: ClosedRange<Int>) {
        (cell((rect.minX - extent.minX) * inverse, count: columns)...cell((rect.maxX - extent.minX) * inverse, count: columns),
         cell((rect.minY - extent.minY) * inverse, count: rows)...cell((rect.maxY - extent.minY) * inverse, count: rows))
    }

    /// Cells needed along a side of length `length`: at least one, at most `maxCells`.
    private static func cellCount(_ length: Double, _ inverse: Double) -> Int {
        let cells = (length * inverse).rounded(.down) + 1
        return cells < Double(maxCells) ? Swift.max(1, Int(cells)) : maxCells
    }

    /// Fences more than this many times the median size do not widen the grid (they would make
    /// every cell coarse under the cell budget); they go to the overflow path.
    static let outlierFactor = 8.0

    /// The median of the fences' larger bounds side, grown until the grid over the fences no
    /// larger than `outlierFactor` medians (`region`, their union) has at most `cellsPerFence`
    /// cells per fence (and `maxCells`); nil when there is nothing to grid.
    static func chooseCellSide(for bounds: [Rect]) -> (side: Double, region: Rect)? {
        guard !bounds.isEmpty else { return nil }
        let sides = bounds.map { Swift.max($0.width, $0.height) }.sorted()
        let median = sides[sides.count / 2]
        let whole = bounds.reduce(Rect.empty) { rect, fence in
            Swift.max(fence.width, fence.height) <= median * outlierFactor ? rect.union(fence) : rect
        }
        guard whole.width.isFinite, whole.height.isFinite else { return nil }
        var side = median
        let span = Swift.max(whole.width, whole.height)
        if !(side > 0) { side = span > 0 ? span / 64 : 1 }
        let budget = Double(Swift.min(maxCells, Swift.max(16, cellsPerFence * bounds.count)))
        while ((whole.width / side).rounded(.down) + 1) * ((whole.height / side).rounded(.down) + 1) > budget {
            side *= 1.25
        }
        return (side, whole)
    }
}
